/* The ini loader and exporter on good input: every dialect feature,
 * full and incremental loads, warnings, and the export round trip. */
#include <string.h>

#include "param_ini.h"
#include "param_secret.h"
#include "param_value.h"

static gsize global(const char *name) {
  gssize i = vgw_param_find_global(name, strlen(name));
  g_assert_cmpint(i, >=, 0);
  return (gsize)i;
}

static void assert_global(const VgwParamConfig *cfg, const char *name,
                          const char *want) {
  char *got = vgw_param_config_get_text(cfg, global(name));
  g_assert_cmpstr(got, ==, want);
  g_free(got);
}

static const VgwParamValue *cell(const VgwParamConfig *cfg, gsize t,
                                 guint index, const char *column) {
  const VgwParamRow *row = vgw_param_config_find_row(cfg, t, index);
  g_assert_nonnull(row);
  gssize c = vgw_param_find_column(vgw_param_table(t), column, strlen(column));
  g_assert_cmpint(c, >=, 0);
  return &row->values[c];
}

/* Loads |text| and fails the test on any error. */
static void load(VgwParamConfig *cfg, const char *text, VgwIniLoadMode mode,
                 GPtrArray *warnings) {
  GError *error = NULL;
  if (!vgw_ini_load(cfg, text, strlen(text), "t.ini", mode, warnings, &error))
    g_error("load: %s", error->message);
}

/* A configuration touching every table and reference, old-style FORMAT
 * names, comments of both kinds, quoting and CRLF line ends. */
static const char RICH[] =
    ";** Ini File **\r\n"
    ";Board: vgw\r\n"
    "\r\n"
    "[SYSTEM Params]\r\n"
    "SyslogServerIP = 10.13.2.69\r\n"
    "EnableSyslog = 1   ; trailing comment\r\n"
    "GwDebugLevel=5\r\n"
    "\r\n"
    "[WEB Params]\r\n"
    "HTTPSCertFileName = 'gw_cert.pem'\r\n"
    "HTTPSRootFileName = 'roots.pem'\r\n"
    "\r\n"
    "[SIP Params]\r\n"
    "SIPTRANSPORTTYPE = 2\r\n"
    "TLSLOCALSIPPORT = 5067\r\n"
    "enablesips = 1\r\n"
    "TLSRemoteSubjectName = \"sbc, the one; with 'quotes'\"\r\n"
    "MaintenancePassword = 's3cret ; not a comment'\r\n"
    "\r\n"
    "[ TLSContexts ]\r\n"
    "\r\n"
    "FORMAT TLSContexts_Index = TLSContexts_Name, TLSContexts_TLSVersion, "
    "TLSContexts_ServerCipherString, TLSContexts_ClientCipherString, "
    "TLSContexts_OcspEnable, TLSContexts_OcspServerPrimary, "
    "TLSContexts_OcspServerSecondary, TLSContexts_OcspServerPort, "
    "TLSContexts_OcspDefaultResponse;\r\n"
    "TLSContexts 0 = \"default\", 0, \"RC4:EXP\", \"ALL:!ADH\", 0, 0.0.0.0, "
    "0.0.0.0, 2560, 0;\r\n"
    "TLSContexts 1 = \"Teams\", 12, $$, $$, 1, 192.0.2.1, , 2560, 1;\r\n"
    "\r\n"
    "[ \\TLSContexts ]\r\n"
    "\r\n"
    "[ SIPInterface ]\r\n"
    "FORMAT Index = InterfaceName, NetworkInterface, ApplicationType, "
    "UDPPort, TCPPort, TLSPort, TLSContext, TLSMutualAuthentication;\r\n"
    "SIPInterface 0 = \"LAN-SIP\", \"LAN\", 2, 5060, 5060, 5061, \"Teams\", 1;\r\n"
    "SIPInterface 3 = \"Mgmt\", \"WAN\", 0, 0, 0, 5081, \"\", -1;\r\n"
    "[ \\SIPInterface ]\r\n"
    "[ ProxySet ]\r\n"
    "FORMAT ProxySet_Index = ProxySet_ProxyName, "
    "ProxySet_EnableProxyKeepAlive, ProxySet_ProxyKeepAliveTime, "
    "ProxySet_TLSContextName, ProxySet_KeepAliveFailureResp, "
    "ProxySet_SBCIPv4SIPInterfaceName;\r\n"
    "ProxySet 1 = \"ITSP\", 1, 30, \"teams\", \"407,404\", \"lan-sip\";\r\n"
    "[ \\ProxySet ]\r\n"
    "[ ProxyIp ]\r\n"
    "FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, "
    "ProxyIp_IpAddress, ProxyIp_TransportType;\r\n"
    "ProxyIp 0 = \"1\", 0, \"sip.pstnhub.microsoft.com:5061\", 2;\r\n"
    "ProxyIp 1 = 1, 1, \"192.0.2.7\", -1;\r\n"
    "[ \\ProxyIp ]\r\n"
    "[ IPGroup ]\r\n"
    "FORMAT Index = Type, Name, ProxySetName, SIPInterfaceName, "
    "DTLSContext;\r\n"
    "IPGroup 2 = 0, \"Carrier\", \"ITSP\", \"Mgmt\", \"\";\r\n"
    "[ \\IPGroup ]\r\n";

static void test_rich_file(void) {
  VgwParamConfig *cfg = vgw_param_config_new();
  GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
  load(cfg, RICH, VGW_INI_FULL, warnings);
  g_assert_cmpuint(warnings->len, ==, 0);
  assert_global(cfg, "SyslogServerIP", "10.13.2.69");
  assert_global(cfg, "EnableSyslog", "1");
  assert_global(cfg, "GwDebugLevel", "5");
  assert_global(cfg, "HTTPSCertFileName", "gw_cert.pem");
  assert_global(cfg, "SIPTransportType", "2");
  assert_global(cfg, "TLSLocalSIPPort", "5067");
  assert_global(cfg, "EnableSIPS", "1");
  assert_global(cfg, "TLSRemoteSubjectName", "sbc, the one; with 'quotes'");
  /* A secret in clear is held as its hash. */
  const char *stored =
      vgw_param_config_global(cfg, global("MaintenancePassword"))->str;
  g_assert_true(g_str_has_prefix(stored, VGW_SECRET_PREFIX));
  g_assert_true(vgw_secret_verify(stored, "s3cret ; not a comment"));

  g_assert_cmpstr(cell(cfg, VGW_TABLE_TLS_CONTEXTS, 0, "ServerCipherString")
                      ->str, ==, "RC4:EXP");
  /* Columns left out of FORMAT and "$$" take the column default. */
  g_assert_cmpint(cell(cfg, VGW_TABLE_TLS_CONTEXTS, 0, "DHKeySize")->num, ==,
                  2048);
  g_assert_cmpstr(cell(cfg, VGW_TABLE_TLS_CONTEXTS, 1, "ServerCipherString")
                      ->str, ==, "DEFAULT");
  g_assert_cmpint(cell(cfg, VGW_TABLE_TLS_CONTEXTS, 1, "TLSVersion")->num, ==,
                  12);
  g_assert_cmpint(cell(cfg, VGW_TABLE_TLS_CONTEXTS, 1, "OcspServerPrimary")
                      ->num, ==, 0xc0000201);
  g_assert_cmpint(cell(cfg, VGW_TABLE_TLS_CONTEXTS, 1, "OcspServerSecondary")
                      ->num, ==, 0);
  g_assert_cmpint(cell(cfg, VGW_TABLE_SIP_INTERFACE, 0,
                       "TLSMutualAuthentication")->num, ==, 1);
  g_assert_cmpint(cell(cfg, VGW_TABLE_SIP_INTERFACE, 3, "TLSPort")->num, ==,
                  5081);
  g_assert_cmpstr(cell(cfg, VGW_TABLE_PROXY_SET, 1, "KeepAliveFailureResp")
                      ->str, ==, "407,404");
  g_assert_cmpint(cell(cfg, VGW_TABLE_PROXY_SET, 1, "ProxyRedundancyMode")
                      ->num, ==, -1);
  g_assert_cmpint(cell(cfg, VGW_TABLE_PROXY_IP, 0, "ProxySetId")->num, ==, 1);
  g_assert_cmpstr(cell(cfg, VGW_TABLE_IP_GROUP, 2, "Name")->str, ==, "Carrier");
  g_assert_cmpuint(vgw_param_config_find_row(cfg, VGW_TABLE_IP_GROUP, 2)->line,
                   ==, 44);
  g_ptr_array_unref(warnings);
  vgw_param_config_free(cfg);
}

static void test_round_trip(void) {
  VgwParamConfig *cfg = vgw_param_config_new();
  load(cfg, RICH, VGW_INI_FULL, NULL);
  char *text = vgw_ini_export(cfg);
  VgwParamConfig *back = vgw_param_config_new();
  GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
  load(back, text, VGW_INI_FULL, warnings);
  g_assert_cmpuint(warnings->len, ==, 0);
  g_assert_true(vgw_param_config_equal(cfg, back));
  /* Exporting again gives the same bytes. */
  char *again = vgw_ini_export(back);
  g_assert_cmpstr(text, ==, again);
  /* An incremental load of a full export overwrites every value and row
   * it lists; rows it does not list stay (incremental changes only what
   * the file names). */
  VgwParamConfig *other = vgw_param_config_new();
  load(other,
       "GwDebugLevel = 2\n[ ProxySet ]\nFORMAT Index = ProxyName\n"
       "ProxySet 1 = old\nProxySet 7 = extra\n[ \\ProxySet ]\n",
       VGW_INI_FULL, NULL);
  load(other, text, VGW_INI_INCREMENTAL, NULL);
  g_assert_false(vgw_param_config_equal(cfg, other));
  g_assert_true(vgw_param_config_delete_row(other, VGW_TABLE_PROXY_SET, 7,
                                            NULL));
  g_assert_true(vgw_param_config_equal(cfg, other));
  g_free(text);
  g_free(again);
  g_ptr_array_unref(warnings);
  vgw_param_config_free(cfg);
  vgw_param_config_free(back);
  vgw_param_config_free(other);
}

static void test_round_trip_defaults(void) {
  VgwParamConfig *cfg = vgw_param_config_new();
  char *text = vgw_ini_export(cfg);
  VgwParamConfig *back = vgw_param_config_new();
  load(back, text, VGW_INI_FULL, NULL);
  g_assert_true(vgw_param_config_equal(cfg, back));
  g_assert_true(strstr(text, "[ \\IPGroup ]\r\n") != NULL);
  g_assert_true(strstr(text, "TLSContexts 0 = \"default\", 0, ") != NULL);
  g_free(text);
  vgw_param_config_free(cfg);
  vgw_param_config_free(back);
}

/* Strings holding a quote character are exported with the other one. */
static void test_round_trip_quotes(void) {
  VgwParamConfig *cfg = vgw_param_config_new();
  load(cfg,
       "TLSRemoteSubjectName = \"O'Brien, Ltd\"\n"
       "MaintenanceUserName = 'say \"hi\";'\n"
       "[ TLSContexts ]\nFORMAT Index = Name\n"
       "TLSContexts 2 = \"it's\"\n[ \\TLSContexts ]\n",
       VGW_INI_INCREMENTAL, NULL);
  assert_global(cfg, "MaintenanceUserName", "say \"hi\";");
  char *text = vgw_ini_export(cfg);
  g_assert_true(strstr(text, "TLSRemoteSubjectName = \"O'Brien, Ltd\"\r\n"));
  g_assert_true(strstr(text, "MaintenanceUserName = 'say \"hi\";'\r\n"));
  VgwParamConfig *back = vgw_param_config_new();
  load(back, text, VGW_INI_FULL, NULL);
  g_assert_true(vgw_param_config_equal(cfg, back));
  g_free(text);
  vgw_param_config_free(cfg);
  vgw_param_config_free(back);
}

static void test_full_replaces(void) {
  VgwParamConfig *cfg = vgw_param_config_new();
  load(cfg, RICH, VGW_INI_FULL, NULL);
  load(cfg, "GwDebugLevel = 1\n", VGW_INI_FULL, NULL);
  VgwParamConfig *expect = vgw_param_config_new();
  g_assert_cmpint(vgw_param_config_set_text(expect, global("GwDebugLevel"),
                                            "1", 1, NULL), ==, TRUE);
  g_assert_true(vgw_param_config_equal(cfg, expect));
  vgw_param_config_free(cfg);
  vgw_param_config_free(expect);
}

static void test_incremental(void) {
  VgwParamConfig *cfg = vgw_param_config_new();
  load(cfg, RICH, VGW_INI_FULL, NULL);
  VgwParamConfig *before = vgw_param_config_copy(cfg);
  load(cfg,
       "GwDebugLevel = 1\n"
       "[ ProxySet ]\n"
       "FORMAT Index = ProxyKeepAliveTime\n"
       "ProxySet 1 = 90\n"
       "ProxySet 2 = $$\n"
       "[ \\ProxySet ]\n",
       VGW_INI_INCREMENTAL, NULL);
  assert_global(cfg, "GwDebugLevel", "1");
  assert_global(cfg, "SyslogServerIP", "10.13.2.69"); /* untouched */
  /* Only the named column of the existing row changed. */
  g_assert_cmpint(cell(cfg, VGW_TABLE_PROXY_SET, 1, "ProxyKeepAliveTime")->num,
                  ==, 90);
  g_assert_cmpstr(cell(cfg, VGW_TABLE_PROXY_SET, 1, "ProxyName")->str, ==,
                  "ITSP");
  g_assert_cmpint(cell(cfg, VGW_TABLE_PROXY_SET, 1, "EnableProxyKeepAlive")
                      ->num, ==, 1);
  /* A new row starts from the defaults. */
  g_assert_cmpstr(cell(cfg, VGW_TABLE_PROXY_SET, 2, "ProxyName")->str, ==, "");
  g_assert_cmpuint(vgw_param_config_row_count(cfg, VGW_TABLE_IP_GROUP), ==, 1);
  g_assert_false(vgw_param_config_equal(cfg, before));

  /* An empty section deletes the table; TLSContexts keeps row 0. */
  load(cfg,
       "[ IPGroup ]\n[ \\IPGroup ]\n"
       "[ TLSContexts ]\nFORMAT Index = Name;\n[ \\TLSContexts ]\n"
       "[ SIPInterface ]\n"
       "FORMAT Index = TLSContext;\n"
       "SIPInterface 0 = \"default\";\n"
       "[ \\SIPInterface ]\n"
       "[ ProxySet ]\n"
       "FORMAT Index = TLSContextName;\n"
       "ProxySet 1 = \"\";\n"
       "[ \\ProxySet ]\n",
       VGW_INI_INCREMENTAL, NULL);
  g_assert_cmpuint(vgw_param_config_row_count(cfg, VGW_TABLE_IP_GROUP), ==, 0);
  g_assert_cmpuint(vgw_param_config_row_count(cfg, VGW_TABLE_TLS_CONTEXTS), ==,
                   1);
  g_assert_cmpuint(vgw_param_config_row_count(cfg, VGW_TABLE_PROXY_IP), ==, 2);
  vgw_param_config_free(cfg);
  vgw_param_config_free(before);
}

static void test_warnings(void) {
  VgwParamConfig *cfg = vgw_param_config_new();
  GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
  load(cfg,
       "; header\n"
       "[SYSTEM Params]\n"
       "NTPServerIP = '172.16.1.10'\n"
       "ActivityListToLog = 'pvc', 'dr'\n"
       "Bad\x01Name = 1\n"
       ";HTTPSCertFileName is hidden but has non-default value\n"
       "[ InterfaceTable ]\n"
       "FORMAT InterfaceTable_Index = InterfaceTable_Name;\n"
       "InterfaceTable 0 = \"Voice\" ; [ TLSContexts ]\n"
       "[ TLSContexts ]\n"
       "[ \\InterfaceTable ]\n"
       "[ TLSContexts ]\n"
       "FORMAT TLSContexts_Index = TLSContexts_Name, "
       "TLSContexts_UseDefaultCABundle, Index;\n"
       "TLSContexts 0 = \"default\", 1, 0;\n"
       "[ \\TLSContexts ]\n"
       "GwDebugLevel = 1\n",
       VGW_INI_FULL, warnings);
  g_assert_cmpuint(warnings->len, ==, 6);
  g_assert_cmpstr(g_ptr_array_index(warnings, 0), ==,
                  "t.ini:3: NTPServerIP: unknown parameter, skipped");
  g_assert_cmpstr(g_ptr_array_index(warnings, 1), ==,
                  "t.ini:4: ActivityListToLog: unknown parameter, skipped");
  g_assert_cmpstr(g_ptr_array_index(warnings, 2), ==,
                  "t.ini:5: Bad\\x01Name: unknown parameter, skipped");
  g_assert_cmpstr(g_ptr_array_index(warnings, 3), ==,
                  "t.ini:8: InterfaceTable: unknown table, skipped");
  g_assert_cmpstr(g_ptr_array_index(warnings, 4), ==,
                  "t.ini:13: TLSContexts: unknown column "
                  "'TLSContexts_UseDefaultCABundle', ignored");
  g_assert_cmpstr(g_ptr_array_index(warnings, 5), ==,
                  "t.ini:13: TLSContexts: unknown column 'Index', ignored");
  assert_global(cfg, "GwDebugLevel", "1");
  /* Warnings may be dropped. */
  load(cfg, "Unknown = 1\n", VGW_INI_INCREMENTAL, NULL);
  g_ptr_array_unref(warnings);
  vgw_param_config_free(cfg);
}

static void test_lenient_syntax(void) {
  VgwParamConfig *cfg = vgw_param_config_new();
  /* No final newline, no ';' after rows, tabs, mixed naming, lower case,
   * a lone "\r" at the end, "$$" for a global, a quoted integer. */
  load(cfg,
       "\tgwdebuglevel\t=\t7\n"
       "SyslogFacility = $$ ; default\n"
       "SyslogServerPort = \"515\"\n"
       "[tlscontexts]\n"
       "format tlscontexts_index = name, TLSContexts_TLSVersion , dhkeysize\n"
       "tlscontexts 4 = x ,4,1024\n"
       "[\\TLSCONTEXTS]   ; end\n"
       "EnableSIPS = 1\r",
       VGW_INI_FULL, NULL);
  assert_global(cfg, "GwDebugLevel", "7");
  assert_global(cfg, "SyslogFacility", "16");
  assert_global(cfg, "SyslogServerPort", "515");
  assert_global(cfg, "EnableSIPS", "1");
  g_assert_cmpstr(cell(cfg, VGW_TABLE_TLS_CONTEXTS, 4, "Name")->str, ==, "x");
  g_assert_cmpint(cell(cfg, VGW_TABLE_TLS_CONTEXTS, 4, "DHKeySize")->num, ==,
                  1024);
  /* A full load of a file naming nothing is refused and changes nothing,
   * unless the caller allows it: then it gives the factory defaults. */
  VgwParamConfig *fresh = vgw_param_config_new();
  static const char *const empties[] = {"", "; only a comment\r\n\r\n",
                                        "[Syslog Params]\n"};
  for (gsize i = 0; i < G_N_ELEMENTS(empties); i++) {
    GError *error = NULL;
    g_assert_false(vgw_ini_load(cfg, empties[i], strlen(empties[i]), "e.ini",
                                VGW_INI_FULL, NULL, &error));
    g_assert_error(error, VGW_PARAM_ERROR, VGW_PARAM_ERROR_EMPTY);
    g_assert_cmpstr(error->message, ==,
                    "e.ini: names no parameter and no table: a full load "
                    "would reset everything to factory defaults");
    g_clear_error(&error);
    assert_global(cfg, "GwDebugLevel", "7");
  }
  load(cfg, "", VGW_INI_INCREMENTAL, NULL);
  assert_global(cfg, "GwDebugLevel", "7");
  load(cfg, "; nothing\n", VGW_INI_FULL_ALLOW_EMPTY, NULL);
  g_assert_true(vgw_param_config_equal(cfg, fresh));
  g_assert_true(vgw_ini_load(cfg, NULL, 0, NULL, VGW_INI_FULL_ALLOW_EMPTY,
                             NULL, NULL));
  /* A file naming only an unknown parameter is not empty: it says what
   * it meant, and the warning says what was skipped. */
  load(cfg, "NoSuchThing = 1\n", VGW_INI_FULL, NULL);
  vgw_param_config_free(fresh);
  vgw_param_config_free(cfg);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/param/ini/rich-file", test_rich_file);
  g_test_add_func("/param/ini/round-trip", test_round_trip);
  g_test_add_func("/param/ini/round-trip-defaults", test_round_trip_defaults);
  g_test_add_func("/param/ini/round-trip-quotes", test_round_trip_quotes);
  g_test_add_func("/param/ini/full-replaces", test_full_replaces);
  g_test_add_func("/param/ini/incremental", test_incremental);
  g_test_add_func("/param/ini/warnings", test_warnings);
  g_test_add_func("/param/ini/lenient-syntax", test_lenient_syntax);
  return g_test_run();
}
