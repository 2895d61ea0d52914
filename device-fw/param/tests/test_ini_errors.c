/* The ini loader on bad input: the exact message for each kind of error,
 * and that a rejected file changes nothing, in full and incremental loads. */
#include <string.h>

#include "param_ini.h"

/* The configuration every case starts from. */
static const char BASE[] =
    "GwDebugLevel = 5\n"
    "[ TLSContexts ]\n"
    "FORMAT Index = Name, TLSVersion;\n"
    "TLSContexts 1 = \"Teams\", 12;\n"
    "[ \\TLSContexts ]\n"
    "[ SIPInterface ]\n"
    "FORMAT Index = InterfaceName, TLSContext;\n"
    "SIPInterface 0 = \"LAN-SIP\", \"Teams\";\n"
    "[ \\SIPInterface ]\n"
    "[ ProxySet ]\n"
    "FORMAT Index = ProxyName, TLSContextName;\n"
    "ProxySet 1 = \"ITSP\", \"Teams\";\n"
    "[ \\ProxySet ]\n";

typedef struct {
  const char *input;
  gsize len;                 /* 0: strlen(input) */
  VgwParamErrorCode code;
  const char *message;
} Case;

#define PS_HEAD "[ ProxySet ]\nFORMAT Index = ProxyName;\n"

static const Case cases[] = {
    /* values */
    {"TLSVersion = 9\n", 0, VGW_PARAM_ERROR_VALUE,
     "board.ini:1: TLSVersion: value 9 out of range 0..1"},
    {"; c\n\nGwDebugLevel = 1\r\nGwDebugLevel = abc\r\n", 0,
     VGW_PARAM_ERROR_VALUE, "board.ini:4: GwDebugLevel: 'abc' is not an integer"},
    {"SyslogServerIP = 10.0.0.256\n", 0, VGW_PARAM_ERROR_VALUE,
     "board.ini:1: SyslogServerIP: '10.0.0.256' is not an IPv4 address"},
    {"HTTPSRootFileName = 'a/b.pem'\n", 0, VGW_PARAM_ERROR_VALUE,
     "board.ini:1: HTTPSRootFileName: 'a/b.pem' is not a file name (letters, "
     "digits, '_', '.', '-')"},
    {"TLSRemoteSubjectName = a\0b\n", 27, VGW_PARAM_ERROR_VALUE,
     "board.ini:1: TLSRemoteSubjectName: control character \\x00 in value"},
    {"GwDebugLevel = 1\nSyslogServerIP = 1.2.3.4\nTLSVersion = 2\n", 0,
     VGW_PARAM_ERROR_VALUE, "board.ini:3: TLSVersion: value 2 out of range 0..1"},
    /* global line syntax */
    {"GwDebugLevel\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:1: expected 'Parameter = value'"},
    {"= 5\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:1: expected 'Parameter = value'"},
    {"TLSRemoteSubjectName = 'abc\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:1: TLSRemoteSubjectName: unterminated quoted string"},
    {"TLSRemoteSubjectName = 'abc' x\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:1: TLSRemoteSubjectName: unexpected text after a quoted value"},
    {"TLSRemoteSubjectName = a, b\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:1: TLSRemoteSubjectName: expected one value, got 2 (quote a "
     "value that holds ',')"},
    /* sections */
    {"[ TLSContexts \n", 0, VGW_PARAM_ERROR_SYNTAX, "board.ini:1: missing ']'"},
    {"[ TLSContexts ] x\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:1: unexpected text after ']'"},
    {"[ \\ProxySet ]\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:1: '[ \\ProxySet ]' closes no open table"},
    {PS_HEAD "[ ProxyIp ]\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:3: ProxySet: '[ ProxyIp ]' inside the table (missing "
     "'[ \\ProxySet ]')"},
    {PS_HEAD "[ \\ProxyIp ]\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:3: ProxySet: '[ \\ProxyIp ]' inside the table (missing "
     "'[ \\ProxySet ]')"},
    {PS_HEAD "ProxySet 1 = a;\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:1: ProxySet: missing '[ \\ProxySet ]'"},
    {PS_HEAD "[ \\ProxySet ]\n" PS_HEAD "[ \\ProxySet ]\n", 0,
     VGW_PARAM_ERROR_DUPLICATE,
     "board.ini:4: ProxySet: table appears twice (first on line 1)"},
    /* FORMAT */
    {"FORMAT Index = a;\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:1: FORMAT line outside a table section"},
    {"[ ProxySet ]\nProxySet 1 = a;\n[ \\ProxySet ]\n", 0,
     VGW_PARAM_ERROR_SYNTAX, "board.ini:2: ProxySet: row before the FORMAT line"},
    {PS_HEAD "FORMAT Index = ProxyName;\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:3: ProxySet: second FORMAT line"},
    {"[ ProxySet ]\nFORMAT Idx = ProxyName;\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:2: ProxySet: FORMAT must start with 'Index =' or "
     "'ProxySet_Index ='"},
    {"[ ProxySet ]\nFORMAT ProxyIp_Index = ProxyName;\n", 0,
     VGW_PARAM_ERROR_SYNTAX,
     "board.ini:2: ProxySet: FORMAT must start with 'Index =' or "
     "'ProxySet_Index ='"},
    {"[ ProxySet ]\nFORMAT Index = ProxyName, ProxySet_PROXYNAME;\n", 0,
     VGW_PARAM_ERROR_DUPLICATE,
     "board.ini:2: ProxySet: FORMAT names column 'ProxyName' twice"},
    {"[ ProxySet ]\nFORMAT Index = ProxyName, , IsProxyHotSwap;\n", 0,
     VGW_PARAM_ERROR_SYNTAX, "board.ini:2: ProxySet: FORMAT: empty column name"},
    {"[ ProxySet ]\nFORMAT Index = ;\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:2: ProxySet: FORMAT: empty column name"},
    /* rows */
    {PS_HEAD "ProxyIp 1 = a;\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:3: ProxySet: expected 'ProxySet N = values;' or "
     "'[ \\ProxySet ]'"},
    {PS_HEAD "ProxySet 1 a;\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:3: ProxySet: expected 'ProxySet N = values;' or "
     "'[ \\ProxySet ]'"},
    {PS_HEAD "ProxySet x = a;\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:3: ProxySet: bad row index 'x'"},
    {PS_HEAD "ProxySet -1 = a;\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:3: ProxySet: bad row index '-1'"},
    {PS_HEAD "ProxySet 32 = a;\n", 0, VGW_PARAM_ERROR_VALUE,
     "board.ini:3: ProxySet 32: row index out of range 0..31"},
    {PS_HEAD "ProxySet 1 = a;\nProxySet 2 = b;\nProxySet 1 = c;\n", 0,
     VGW_PARAM_ERROR_DUPLICATE,
     "board.ini:5: ProxySet 1: row defined twice (first on line 3)"},
    {PS_HEAD "ProxySet 1 = a, b;\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:3: ProxySet 1: 2 values, FORMAT names 1 columns"},
    {PS_HEAD "ProxySet 1 = \"a;\n", 0, VGW_PARAM_ERROR_SYNTAX,
     "board.ini:3: ProxySet 1: unterminated quoted string"},
    {"[ ProxySet ]\nFORMAT Index = ProxyKeepAliveTime;\nProxySet 1 = 4;\n", 0,
     VGW_PARAM_ERROR_VALUE,
     "board.ini:3: ProxySet 1: ProxyKeepAliveTime: value 4 out of range "
     "5..2000000"},
    {"[ ProxySet ]\nFORMAT Index = KeepAliveFailureResp;\nProxySet 1 = \"503, 200\";\n"
     "[ \\ProxySet ]\n", 0, VGW_PARAM_ERROR_VALUE,
     "board.ini:3: ProxySet 1: KeepAliveFailureResp: '200' is not a SIP "
     "failure code (300-699)"},
    {"[ ProxySet ]\nFORMAT Index = KeepAliveFailureResp;\n"
     "ProxySet 2 = \"404,407,408,503\";\n[ \\ProxySet ]\n", 0,
     VGW_PARAM_ERROR_VALUE,
     "board.ini:3: ProxySet 2: KeepAliveFailureResp: more than 3 codes"},
    {"[ SIPInterface ]\nFORMAT Index = TLSMutualAuthentication;\n"
     "SIPInterface 0 = 2;\n[ \\SIPInterface ]\n", 0, VGW_PARAM_ERROR_VALUE,
     "board.ini:3: SIPInterface 0: TLSMutualAuthentication: value 2 out of "
     "range -1..1"},
    {"[ TLSContexts ]\nFORMAT Index = Name, DHKeySize;\n"
     "TLSContexts 0 = \"default\", 4096;\n[ \\TLSContexts ]\n", 0,
     VGW_PARAM_ERROR_VALUE,
     "board.ini:3: TLSContexts 0: DHKeySize: value 4096 not one of 1024, 2048"},
    /* references and names */
    {"[ ProxySet ]\nFORMAT Index = TLSContextName;\nProxySet 2 = \"nope\";\n"
     "[ \\ProxySet ]\n", 0, VGW_PARAM_ERROR_REFERENCE,
     "board.ini:3: ProxySet 2: TLSContextName: no TLSContexts row named "
     "'nope'"},
    {"[ ProxyIp ]\nFORMAT ProxyIp_Index = ProxyIp_ProxySetId, "
     "ProxyIp_IpAddress;\nProxyIp 0 = \"9\", \"192.0.2.1\";\n[ \\ProxyIp ]\n",
     0, VGW_PARAM_ERROR_REFERENCE,
     "board.ini:3: ProxyIp 0: ProxySetId: no ProxySet row 9"},
    {"[ IPGroup ]\nFORMAT Index = Name, ProxySetName;\n"
     "IPGroup 0 = \"g\", \"Nope\";\n[ \\IPGroup ]\n", 0,
     VGW_PARAM_ERROR_REFERENCE,
     "board.ini:3: IPGroup 0: ProxySetName: no ProxySet row named 'Nope'"},
    /* Emptying TLSContexts breaks the references of rows not in this file. */
    {"[ TLSContexts ]\n[ \\TLSContexts ]\n", 0, VGW_PARAM_ERROR_REFERENCE,
     "board.ini: SIPInterface 0: TLSContext: no TLSContexts row named "
     "'Teams'"},
    {"[ SIPInterface ]\nFORMAT Index = InterfaceName;\n"
     "SIPInterface 4 = \"lan-sip\";\n[ \\SIPInterface ]\n", 0,
     VGW_PARAM_ERROR_DUPLICATE,
     "board.ini:3: SIPInterface 4: InterfaceName: name 'lan-sip' already used "
     "by row 0"},
};

static void check_case(const Case *c, VgwIniLoadMode mode) {
  VgwParamConfig *cfg = vgw_param_config_new();
  g_assert_true(vgw_ini_load(cfg, BASE, strlen(BASE), "base.ini", VGW_INI_FULL,
                             NULL, NULL));
  VgwParamConfig *before = vgw_param_config_copy(cfg);
  GError *error = NULL;
  gsize len = c->len ? c->len : strlen(c->input);
  gboolean ok = vgw_ini_load(cfg, c->input, len, "board.ini", mode, NULL,
                             &error);
  g_assert_false(ok);
  g_assert_nonnull(error);
  g_assert_cmpstr(error->message, ==, c->message);
  g_assert_error(error, VGW_PARAM_ERROR, (gint)c->code);
  /* Nothing applied. */
  g_assert_true(vgw_param_config_equal(cfg, before));
  g_error_free(error);
  vgw_param_config_free(cfg);
  vgw_param_config_free(before);
}

static void test_incremental(gconstpointer data) {
  check_case(data, VGW_INI_INCREMENTAL);
}

static void test_full(gconstpointer data) { check_case(data, VGW_INI_FULL); }

/* A full load fails the same way, except where the error depends on rows
 * of the base that only an incremental load keeps. */
static gboolean fails_in_full_load(const Case *c) {
  return !strstr(c->message, "'Teams'") && !strstr(c->message, "'lan-sip'");
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *path = g_strdup_printf("/param/ini-errors/incremental/%02zu", i);
    g_test_add_data_func(path, &cases[i], test_incremental);
    g_free(path);
    if (!fails_in_full_load(&cases[i])) continue;
    path = g_strdup_printf("/param/ini-errors/full/%02zu", i);
    g_test_add_data_func(path, &cases[i], test_full);
    g_free(path);
  }
  return g_test_run();
}
