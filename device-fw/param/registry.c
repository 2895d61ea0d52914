/*
 * The registry data. Values, ranges and defaults are the 6.4 ones from
 * gateway-spec.md where the manuals give them; the tables follow the 7.x
 * column names (they did not exist in 6.4). Notes marked "[vgw]" are our
 * own choices where the sources are silent or disagree.
 */
#include "param_registry.h"

#include <string.h>

#define ENUMS(arr) .enum_values = (arr), .n_enum_values = G_N_ELEMENTS(arr)

static const VgwParamEnumValue disable_enable[] = {
    {0, "Disable"}, {1, "Enable"}};
static const VgwParamEnumValue tls_version_64[] = {
    {0, "SSL 2.0-3.0 and TLS 1.0"}, {1, "TLS 1.0 only"}};
static const VgwParamEnumValue manual_version[] = {{0, "6.4"}, {1, "7.x"}};
static const VgwParamEnumValue peer_host_mode[] = {
    {0, "Disable"}, {1, "Server Only"}, {2, "Server & Client"}};
static const VgwParamEnumValue transport[] = {
    {0, "UDP"}, {1, "TCP"}, {2, "TLS"}};
static const VgwParamEnumValue transport_or_unset[] = {
    {-1, "Not configured"}, {0, "UDP"}, {1, "TCP"}, {2, "TLS"}};
static const VgwParamEnumValue ip_mode[] = {{0, "Static"}, {1, "DHCP"}};
static const VgwParamEnumValue tri_state[] = {
    {-1, "Not configured"}, {0, "Disable"}, {1, "Enable"}};
static const VgwParamEnumValue keepalive[] = {
    {0, "Disable"}, {1, "Using OPTIONS"}, {2, "Using REGISTER"}};
static const VgwParamEnumValue load_balancing[] = {
    {0, "Disable"}, {1, "Round Robin"}, {2, "Random Weights"}};
static const VgwParamEnumValue redundancy[] = {
    {-1, "Not configured"}, {0, "Parking"}, {1, "Homing"}};
static const VgwParamEnumValue application[] = {
    {0, "GW"}, {1, "SAS"}, {2, "SBC"}};
static const VgwParamEnumValue ocsp_default[] = {{0, "Reject"}, {1, "Allow"}};
static const VgwParamEnumValue dh_key_size[] = {{1024, "1024"}, {2048, "2048"}};
static const VgwParamEnumValue ip_group_type[] = {{0, "Server"}, {1, "User"}};
static const VgwParamEnumValue digest_algorithms[] = {
    {0, "SHA-256 and MD5"}, {1, "MD5"}, {2, "SHA-256"}};

#define INT(lo, hi) .type = VGW_PARAM_INTEGER, .min = (lo), .max = (hi)
#define ENUM(arr) .type = VGW_PARAM_ENUM, ENUMS(arr)
#define STR(n) .type = VGW_PARAM_STRING, .max = (n)
#define FILE_NAME .type = VGW_PARAM_FILE_NAME, .max = 63
#define IPV4 .type = VGW_PARAM_IPV4

static const VgwParamDesc globals[] = {
    /* TLS (6.4 global TLS configuration, gateway-spec.md §1) */
    {"VgwManualVersion", "TLS", ENUM(manual_version), .default_text = "0",
     .reset_needed = TRUE,
     .description = "Which SIP User's Manual the gateway behaves like: the "
                    "meaning of TLSVersion, SIPSRequireClientCertificate 1 "
                    "and PeerHostNameVerificationMode 1",
     .note = "[vgw] vgw's own parameter, not an AudioCodes one. 0 = 6.4 "
             "(the seed), 1 = 7.x (6.6 to 7.4 where they differ from 6.4). "
             "A reset, as TLSVersion."},
    {"TLSVersion", "TLS", ENUM(tls_version_64), .default_text = "0",
     .reset_needed = TRUE,
     .description = "TLS protocol versions offered and accepted (6.4 meaning)",
     .note = "VgwManualVersion 6.4: the policy of every connection. 7.x: "
             "only for a TLSContexts row whose TLSVersion is 0 ([vgw]; 6.8 "
             "and later moved the version into TLSContexts.TLSVersion). "
             "[vgw] BoringSSL has no SSL 2.0/3.0: 0 offers TLS 1.0 to 1.3, "
             "the widest set it has (a forced deviation, logged at boot); "
             "1 is TLS 1.0 and nothing else."},
    {"TLSReHandshakeInterval", "TLS", INT(0, 1500), .default_text = "0",
     .description = "Minutes between TLS re-handshakes started by the device; "
                    "0 = never",
     .note = "[vgw] BoringSSL cannot renegotiate, so this is what it does: "
             "a TLS 1.3 connection (either role) sends a KeyUpdate that "
             "requests the peer's, counted per connection (`vgw tls "
             "connections`) and in `status` (tls.key_updates); after 16 "
             "in a row with no application data sent it waits for data "
             "(a BoringSSL peer refuses a 33rd). A TLS 1.2 connection the "
             "device opened is replaced make-before-break by a new one (a "
             "full handshake: the peer is authenticated again); new "
             "requests go on the new one once it is up, and the old one "
             "serves what is under way on it for 32 s (64*T1), then "
             "closes; counted (tls.rehandshakes). A TLS 1.2 connection "
             "the device accepted is not re-handshaken: BoringSSL has no "
             "server-side renegotiation. A peer that tries to renegotiate gets a "
             "no_renegotiation alert and its connection is closed, logged "
             "and counted (failure reason `renegotiation`). Live: open "
             "connections take a new value at once."},
    {"SIPSRequireClientCertificate", "TLS", ENUM(disable_enable),
     .default_text = "0", .reset_needed = TRUE,
     .description = "TLS mutual authentication: as server, require and verify "
                    "a client certificate",
     .note = "VgwManualVersion 6.4: 1 applies to the server role only. "
             "7.x (7.2 and later): 1 also makes server-certificate "
             "verification mandatory when the device is the client. "
             "SIPInterface.TLSMutualAuthentication overrides it."},
    {"PeerHostNameVerificationMode", "TLS", ENUM(peer_host_mode),
     .default_text = "0",
     .description = "Match the peer certificate's SubjectAltName/CN against "
                    "Proxy Set addresses or TLSRemoteSubjectName",
     .note = "1 under VgwManualVersion 6.4: verify when the device is the "
             "server (the client's certificate), as the 6.4 manual says; "
             "under 7.x: verify when it is the client (the server's "
             "certificate), as 6.6 and 7.x say. 2 = both roles under both; "
             "it needs SIPSRequireClientCertificate = 1. As server, on an "
             "interface that requires a client certificate, the client's "
             "certificate is matched against the addresses of the TLS "
             "Proxy Sets its address classifies to; [vgw] a client no "
             "Proxy Set classifies is refused (reason hostname, logged "
             "as \"no Proxy Set classifies ADDRESS\") unless its CN is "
             "TLSRemoteSubjectName: there is no address to match."},
    {"VerifyServerCertificate", "TLS", ENUM(disable_enable), .default_text = "0",
     .description = "As TLS client, verify the server certificate against the "
                    "trusted roots"},
    {"TLSRemoteSubjectName", "TLS", STR(255), .default_text = "",
     .description = "Name the certificate Common Name is compared with when no "
                    "Proxy Set matches"},
    {"HTTPSCertFileName", "TLS", FILE_NAME, .default_text = "",
     .reset_needed = TRUE,
     .description = "Device certificate file (PEM); empty = context 0's "
                    "self-signed certificate",
     .note = "[vgw] `vgw up --config F.ini` installs the files named by "
             "HTTPSCertFileName, HTTPSPkeyFileName and HTTPSRootFileName "
             "(beside F.ini) into context 0, as `vgw cert inject` does."},
    {"HTTPSRootFileName", "TLS", FILE_NAME, .default_text = "",
     .reset_needed = TRUE,
     .description = "Trusted root certificates file (PEM); empty = none"},
    {"HTTPSPkeyFileName", "TLS", FILE_NAME, .default_text = "",
     .reset_needed = TRUE,
     .description = "Device private key file; empty = key generated in the "
                    "crypto engine"},

    /* SIP transport */
    {"SIPTransportType", "SIP", ENUM(transport), .default_text = "0",
     .description = "Default transport for outgoing SIP"},
    {"LocalSIPPort", "SIP", INT(1, 65535), .default_text = "5060",
     .reset_needed = TRUE,
     .description = "Local UDP port for SIP when no SIP Interface is defined"},
    {"TCPLocalSIPPort", "SIP", INT(1, 65535), .default_text = "5060",
     .reset_needed = TRUE,
     .description = "Local TCP port for SIP when no SIP Interface is defined"},
    {"TLSLocalSIPPort", "SIP", INT(1, 65535), .default_text = "5061",
     .reset_needed = TRUE,
     .description = "Local TLS port for SIP when no SIP Interface is defined",
     .note = "[vgw] default 5061 as the SIP Interface TLSPort; listeners are "
             "opened at boot."},
    {"EnableSIPS", "SIP", ENUM(disable_enable), .default_text = "0",
     .description = "Require TLS all the way to the destination (sips:)",
     .note = "With SIPTransportType = 0 (UDP) connections fail, as on the real "
             "device."},
    {"UsePingPongKeepAlive", "SIP", ENUM(disable_enable), .default_text = "0",
     .description = "Send CRLF keep-alives on TCP/TLS connections to proxies"},

    /* Syslog (gateway-spec.md §6.4) */
    {"EnableSyslog", "Syslog", ENUM(disable_enable), .default_text = "0",
     .description = "Send log messages to the syslog server"},
    {"SyslogServerIP", "Syslog", IPV4, .default_text = "0.0.0.0",
     .description = "Syslog server address"},
    {"SyslogServerPort", "Syslog", INT(1, 65535), .default_text = "514",
     .description = "Syslog server UDP port"},
    {"SyslogFacility", "Syslog", INT(16, 23), .default_text = "16",
     .description = "Syslog facility: 16 = local0 ... 23 = local7"},
    {"GwDebugLevel", "Syslog", INT(0, 7), .default_text = "0",
     .description = "Log level: 0 off, 1 flow, 5 detailed, 7 automatic "
                    "switching under load"},

    /* Network addressing (vgw board: LAN for SIP, WAN for management) */
    {"LANIPMode", "Network", ENUM(ip_mode), .default_text = "1",
     .reset_needed = TRUE, .description = "LAN port addressing: static or DHCP"},
    {"LANIPAddress", "Network", IPV4, .default_text = "0.0.0.0",
     .reset_needed = TRUE, .description = "LAN static IPv4 address"},
    {"LANPrefixLength", "Network", INT(0, 32), .default_text = "24",
     .reset_needed = TRUE, .description = "LAN static prefix length"},
    {"LANDefaultGateway", "Network", IPV4, .default_text = "0.0.0.0",
     .reset_needed = TRUE,
     .description = "LAN default gateway; 0.0.0.0 = none"},
    {"WANIPMode", "Network", ENUM(ip_mode), .default_text = "1",
     .reset_needed = TRUE, .description = "WAN port addressing: static or DHCP"},
    {"WANIPAddress", "Network", IPV4, .default_text = "0.0.0.0",
     .reset_needed = TRUE, .description = "WAN static IPv4 address"},
    {"WANPrefixLength", "Network", INT(0, 32), .default_text = "24",
     .reset_needed = TRUE, .description = "WAN static prefix length"},
    {"WANDefaultGateway", "Network", IPV4, .default_text = "0.0.0.0",
     .reset_needed = TRUE,
     .description = "WAN default gateway; 0.0.0.0 = none"},

    /* Maintenance login (gateway-spec.md §6.1: default Admin / Admin) */
    {"MaintenanceUserName", "Maintenance", STR(31), .default_text = "Admin",
     .description = "User name for the maintenance-port CLI login"},
    /* The default is the stored form of "Admin" (param_secret.h), with a
     * fixed salt: the factory password is public anyway. */
    {"MaintenancePassword", "Maintenance", STR(31),
     .default_text = "$pbkdf2-sha256$10000$dmd3IGZhY3Rvcnkgc2FsdA==$"
                     "uG4jFzf2rJm89E4BlrjnS2Bc97tGlka4BkMc3rgYDa8=",
     .secret = VGW_SECRET_LOGIN,
     .description = "Password for the maintenance-port CLI login; factory "
                    "value Admin"},

    /* Digest authentication of REGISTER (vgwd/sip_registrations.h) against
     * the SBCUserInfoTable. [vgw]: the 6.4 gateway has no registrar. */
    {"RegistrarAuthentication", "Registrar", ENUM(disable_enable),
     .default_text = "0",
     .description = "Challenge every REGISTER with Digest (SHA-256 and MD5) "
                    "and accept only the users of SBCUserInfoTable",
     .note = "[vgw] one switch for the registrar; not in gateway-spec.md."},
    {"RegistrarAuthRealm", "Registrar", STR(63), .default_text = "vgw",
     .description = "Digest realm of the registrar's challenges"},
    {"RegistrarAuthAlgorithms", "Registrar", ENUM(digest_algorithms),
     .default_text = "0",
     .description = "Digest algorithms the registrar offers (SHA-256 "
                    "first) and accepts",
     .note = "[vgw] MD5 alone serves clients that stop at a first "
             "challenge they cannot answer (SIPp 3.6)."},
    {"RegistrarNonceLifetime", "Registrar", INT(10, 3600),
     .default_text = "300",
     .description = "Seconds a Digest nonce is good for; after it a "
                    "challenge says stale=true"},

    /* The test extension (vgwd/test_extension.h): answers calls, echoes
     * RTP. [vgw] only: no such feature in gateway-spec.md. */
    {"TestCallNumber", "TestCall", STR(31), .default_text = "1000",
     .description = "User part of the Request-URI the test extension "
                    "answers (it echoes RTP back); empty = off"},
    {"TestCallAnswerDelay", "TestCall", INT(0, 60), .default_text = "0",
     .description = "Seconds the test extension rings (180) before it "
                    "answers; a CANCEL meanwhile gets 487"},
    {"TestCallMediaAddress", "TestCall", IPV4, .default_text = "0.0.0.0",
     .description = "Address the test extension's SDP answer gives for RTP; "
                    "0.0.0.0 = the LAN address. Behind NAT (slirp): the "
                    "address peers reach the gateway at"},
    {"TestCallMediaPort", "TestCall", INT(0, 65532), .default_text = "0",
     .description = "First of the 4 RTP ports the test extension's SDP "
                    "answer gives (call slot n: this + n); 0 = its own "
                    "ports 40000-40003. Behind NAT: the forwarded ports"},
};

static const VgwParamDesc tls_contexts_columns[] = {
    {"Name", STR(31), .default_text = "",
     .description = "Context name other tables refer to; row 0 is \"default\""},
    {"TLSVersion", INT(0, 15), .default_text = "0",
     .description = "Bit mask: 1 TLS 1.0, 2 TLS 1.1, 4 TLS 1.2, 8 TLS 1.3; "
                    "0 = any",
     .note = "Values 0-7 from 7.0-7.2; 8/12 (TLS 1.3) inferred from 7.4 files. "
             "Applies under VgwManualVersion 7.x only (6.4 has no contexts: "
             "the global TLSVersion rules, for every context). [vgw] 0 "
             "follows the global TLSVersion. A mask with a gap (5 = TLS 1.0 "
             "and 1.2) allows exactly its versions. The context's "
             "connections in both roles follow it: its SIP Interfaces' "
             "listeners and the connections the device opens presenting "
             "it."},
    {"ServerCipherString", STR(255), .default_text = "DEFAULT",
     .description = "OpenSSL cipher list (TLS 1.2 and below) as server",
     .note = "[vgw] DEFAULT is ECDHE with AES-GCM or ChaCha20-Poly1305, "
             "then the ECDHE CBC-SHA suites TLS 1.0/1.1 need; any other list "
             "is exactly what BoringSSL reads in it, without RSA key "
             "exchange (the crypto engine's key signs, it never decrypts). A "
             "list BoringSSL refuses leaves the context unusable (logged): "
             "its listeners serve context 0."},
    {"ClientCipherString", STR(255), .default_text = "DEFAULT",
     .description = "OpenSSL cipher list (TLS 1.2 and below) as client",
     .note = "[vgw] As ServerCipherString, for the connections the device "
             "opens presenting this context."},
    {"ServerCipherTLS13String", STR(255),
     .default_text = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"
                     "TLS_AES_128_GCM_SHA256",
     .description = "TLS 1.3 cipher suites as server",
     .note = "[vgw] BoringSSL's TLS 1.3 suites are fixed (the three of the "
             "default) and cannot be narrowed: a list that leaves one out is "
             "logged as not enforced (a forced deviation)."},
    {"ClientCipherTLS13String", STR(255),
     .default_text = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"
                     "TLS_AES_128_GCM_SHA256",
     .description = "TLS 1.3 cipher suites as client",
     .note = "[vgw] As ServerCipherTLS13String: not enforced."},
    {"KeyExchangeGroups", STR(255), .default_text = "X25519:P-256:P-384:X448",
     .description = "Key exchange groups, colon separated",
     .note = "[vgw] Both roles. Groups BoringSSL lacks (X448) are left out, "
             "logged; a list with none it has leaves the context unusable. "
             "Under TLS 1.2 the list also bounds the curve of the peer's "
             "ECDSA certificate (RFC 8422)."},
    {"RequireStrictCert", ENUM(disable_enable), .default_text = "0",
     .description = "Reject peer certificates with non-strict extensions"},
    {"OcspEnable", ENUM(disable_enable), .default_text = "0",
     .description = "Check peer certificates with OCSP"},
    {"OcspServerPrimary", IPV4, .default_text = "0.0.0.0",
     .description = "Primary OCSP server"},
    {"OcspServerSecondary", IPV4, .default_text = "0.0.0.0",
     .description = "Secondary OCSP server"},
    {"OcspServerPort", INT(1, 65535), .default_text = "2560",
     .description = "OCSP server port"},
    {"OcspDefaultResponse", ENUM(ocsp_default), .default_text = "0",
     .description = "Verdict when no OCSP server answers"},
    {"DHKeySize", ENUM(dh_key_size), .default_text = "2048",
     .description = "DH key size as server when DH key exchange is negotiated"},
    {"StrictHostNameMatch", ENUM(disable_enable), .default_text = "0",
     .description = "Peer host-name verification by RFC 5922 alone: a "
                    "SubjectAltName DNS or IP entry must match; no CN "
                    "fallback, no wildcard",
     .note = "[vgw] vgw's own column, not an AudioCodes one (none of the "
             "usual servers offers it). Applies where "
             "PeerHostNameVerificationMode checks the peer; 0 = the "
             "manual's rules (SAN, then CN, wildcards)."},
};

static const VgwParamDesc sip_interface_columns[] = {
    {"InterfaceName", STR(40), .default_text = "",
     .description = "SIP Interface name other tables refer to"},
    {"NetworkInterface", STR(40), .default_text = "LAN",
     .description = "Network port the interface listens on (\"LAN\" or \"WAN\")"},
    {"ApplicationType", ENUM(application), .default_text = "0",
     .description = "Application the interface serves",
     .note = "0 = GW and 2 = SBC observed; 1 = SAS inferred."},
    {"UDPPort", INT(0, 65535), .default_text = "5060",
     .description = "UDP listening port; 0 = no UDP"},
    {"TCPPort", INT(0, 65535), .default_text = "5060",
     .description = "TCP listening port; 0 = no TCP"},
    {"TLSPort", INT(0, 65535), .default_text = "5061",
     .description = "TLS listening port; 0 = no TLS"},
    {"TLSContext", STR(31), .default_text = "default",
     .ref_table = "TLSContexts",
     .description = "TLS Context used when the Proxy Set has none; empty = "
                    "context 0"},
    {"TLSMutualAuthentication", ENUM(tri_state), .default_text = "-1",
     .description = "Mutual authentication as TLS server; -1 = global "
                    "SIPSRequireClientCertificate"},
    {"TCPKeepaliveEnable", ENUM(disable_enable), .default_text = "0",
     .description = "TCP keep-alive on this interface's connections"},
    {"ClassificationFailureResponseType", INT(0, 699), .default_text = "500",
     .description = "SIP response sent when classification fails; 0 = none"},
    {"BlockUnRegUsers", ENUM(tri_state), .default_text = "-1",
     .description = "Block calls from unregistered users; -1 = use the SRD"},
};

static const VgwParamDesc proxy_set_columns[] = {
    {"ProxyName", STR(40), .default_text = "",
     .description = "Proxy Set name other tables refer to"},
    {"EnableProxyKeepAlive", ENUM(keepalive), .default_text = "0",
     .description = "Proxy keep-alive method",
     .note = "[vgw] REGISTER keep-alives are paced by ProxyKeepAliveTime too "
             "(the manuals use RegistrationTime, not in this registry)."},
    {"ProxyKeepAliveTime", INT(5, 2000000), .default_text = "60",
     .description = "Seconds between OPTIONS keep-alives"},
    {"ProxyLoadBalancingMethod", ENUM(load_balancing), .default_text = "0",
     .description = "Load balancing among the proxy addresses",
     .note = "[vgw] no ProxyIp Weight column (a 7.4 addition): Random Weights "
             "picks among the usable proxies with equal weights."},
    {"IsProxyHotSwap", ENUM(disable_enable), .default_text = "0",
     .description = "Switch to a redundant proxy when the primary does not "
                    "answer"},
    {"TLSContextName", STR(31), .default_text = "", .ref_table = "TLSContexts",
     .description = "TLS Context for TLS transport; empty = the SIP "
                    "Interface's",
     .note = "[vgw] The SIP Interface is GWIPv4SIPInterfaceName, else "
             "SBCIPv4SIPInterfaceName; a set naming neither presents context "
             "0. Connections to an address two sets share present the last "
             "applied set's choice. A context without a usable certificate "
             "is replaced by context 0, said in the log and in `vgw tls "
             "connections`."},
    {"ProxyRedundancyMode", ENUM(redundancy), .default_text = "-1",
     .description = "Return to the primary proxy (Homing) or stay (Parking)",
     .note = "[vgw] -1 is Parking, the 6.x global default."},
    {"KeepAliveFailureResp", STR(20), .default_text = "",
     .description = "Up to 3 comma-separated SIP codes (300-699) that mark a "
                    "proxy down; anything else is refused"},
    {"GWIPv4SIPInterfaceName", STR(40), .default_text = "",
     .ref_table = "SIPInterface",
     .description = "SIP Interface for gateway calls through this set"},
    {"SBCIPv4SIPInterfaceName", STR(40), .default_text = "",
     .ref_table = "SIPInterface",
     .description = "SIP Interface for SBC calls through this set"},
};

static const VgwParamDesc proxy_ip_columns[] = {
    {"ProxySetId", INT(0, 31), .default_text = "0", .ref_table = "ProxySet",
     .ref_required = TRUE, .description = "Index of the Proxy Set"},
    {"ProxyIpIndex", INT(0, 4), .default_text = "0",
     .description = "Position of the address within its Proxy Set"},
    {"IpAddress", STR(255), .default_text = "",
     .description = "Proxy IP address or FQDN, optional :port; matched "
                    "against peer certificate names"},
    {"TransportType", ENUM(transport_or_unset), .default_text = "-1",
     .description = "Transport to this address; -1 = SIPTransportType",
     .note = "Coding inferred from RegistrarTransportType."},
};

static const VgwParamDesc ip_group_columns[] = {
    {"Type", ENUM(ip_group_type), .default_text = "0",
     .description = "Server (e.g. ITSP, IP-PBX) or group of users"},
    {"Name", STR(40), .default_text = "",
     .description = "IP Group name"},
    {"ProxySetName", STR(40), .default_text = "", .ref_table = "ProxySet",
     .description = "Proxy Set giving the group's addresses"},
    {"SIPInterfaceName", STR(40), .default_text = "",
     .ref_table = "SIPInterface",
     .description = "SIP Interface when the Proxy Set names none",
     .note = "[vgw] the real device reaches the SIP Interface through the "
             "Proxy Set or SRD."},
    {"ClassifyByProxySet", ENUM(disable_enable), .default_text = "1",
     .description = "Classify incoming calls to this group by Proxy Set "
                    "address"},
    {"DTLSContext", STR(31), .default_text = "", .ref_table = "TLSContexts",
     .description = "TLS Context for DTLS media; empty = none"},
};

/* The SBC "User Information" table; here the registrar's users. */
static const VgwParamDesc user_info_columns[] = {
    {"LocalUser", STR(60), .default_text = "",
     .description = "User part of the address of record the row may "
                    "register (the To URI's user)"},
    {"Username", STR(60), .default_text = "",
     .description = "Digest user name; empty = LocalUser"},
    {"Password", STR(50), .default_text = "",
     .secret = VGW_SECRET_DIGEST_HA1,
     .description = "Digest password; empty = none (the user cannot "
                    "authenticate)",
     .note = "[vgw] kept as its HA1 for RegistrarAuthRealm and the Digest "
             "user name (Secret parameters)."},
};

/* The Internal DNS table (AudioCodes ini `DNS2IP`): names the gateway
 * resolves itself, before asking DNS. */
static const VgwParamDesc dns2ip_columns[] = {
    {"DomainName", STR(255), .default_text = "",
     .description = "Host name resolved by this row (ASCII case ignored)"},
    {"FirstIpAddress", IPV4, .default_text = "0.0.0.0",
     .description = "First address of the name; 0.0.0.0 = none"},
    {"SecondIpAddress", IPV4, .default_text = "0.0.0.0",
     .description = "Second address, tried after the first; 0.0.0.0 = none"},
    {"ThirdIpAddress", IPV4, .default_text = "0.0.0.0",
     .description = "Third address; 0.0.0.0 = none"},
    {"FourthIpAddress", IPV4, .default_text = "0.0.0.0",
     .description = "Fourth address; 0.0.0.0 = none"},
};

#define COLUMNS(arr) .columns = (arr), .n_columns = G_N_ELEMENTS(arr)

static const VgwTableDesc tables[VGW_TABLE_COUNT] = {
    [VGW_TABLE_TLS_CONTEXTS] = {"TLSContexts",
        "Certificate sets and TLS settings; row 0 (\"default\") always exists",
        100, COLUMNS(tls_contexts_columns), .name_column = 0,
        .row0_permanent = TRUE},
    [VGW_TABLE_SIP_INTERFACE] = {"SIPInterface",
        "Listening ports per network port, with TLS Context and mutual "
        "authentication. With no row, one interface on LAN listens on "
        "LocalSIPPort, TCPLocalSIPPort and TLSLocalSIPPort. Two listeners "
        "of one network port on one port number and IP protocol (TLS is "
        "TCP), or a UDP port among the test extension's RTP ports "
        "40000-40003 or the DHCP client's 68, are refused",
        32, COLUMNS(sip_interface_columns), .name_column = 0},
    [VGW_TABLE_PROXY_SET] = {"ProxySet",
        "Groups of proxy addresses with keep-alive, TLS Context and SIP "
        "Interfaces",
        32, COLUMNS(proxy_set_columns), .name_column = 0},
    [VGW_TABLE_PROXY_IP] = {"ProxyIp",
        "Proxy addresses of the Proxy Sets, with transport",
        160, COLUMNS(proxy_ip_columns), .name_column = -1},
    [VGW_TABLE_IP_GROUP] = {"IPGroup",
        "SIP entities (servers or user groups) and their Proxy Sets",
        80, COLUMNS(ip_group_columns), .name_column = 1},
    [VGW_TABLE_USER_INFO] = {"SBCUserInfoTable",
        "Users the registrar authenticates (RegistrarAuthentication); the "
        "SBC User Information table's LocalUser, Username and Password "
        "columns, without its IP Group",
        64, COLUMNS(user_info_columns), .name_column = -1},
    [VGW_TABLE_DNS2IP] = {"DNS2IP",
        "Internal DNS: host names (e.g. Proxy Set addresses) and their "
        "addresses, looked up before DNS",
        20, COLUMNS(dns2ip_columns), .name_column = 0},
};

static gboolean name_equal(const char *known, const char *name, gsize len) {
  return strlen(known) == len && g_ascii_strncasecmp(known, name, len) == 0;
}

gsize vgw_param_global_count(void) { return G_N_ELEMENTS(globals); }

const VgwParamDesc *vgw_param_global(gsize i) {
  g_return_val_if_fail(i < G_N_ELEMENTS(globals), NULL);
  return &globals[i];
}

gssize vgw_param_find_global(const char *name, gsize len) {
  for (gsize i = 0; i < G_N_ELEMENTS(globals); i++)
    if (name_equal(globals[i].name, name, len)) return (gssize)i;
  return -1;
}

const VgwTableDesc *vgw_param_table(gsize t) {
  g_return_val_if_fail(t < VGW_TABLE_COUNT, NULL);
  return &tables[t];
}

gssize vgw_param_find_table(const char *name, gsize len) {
  for (gsize t = 0; t < VGW_TABLE_COUNT; t++)
    if (name_equal(tables[t].name, name, len)) return (gssize)t;
  return -1;
}

gssize vgw_param_find_column(const VgwTableDesc *table, const char *name,
                             gsize len) {
  gsize prefix = strlen(table->name);
  /* "Table_Column" (up to 7.0) or bare "Column" (7.4). */
  if (len > prefix + 1 && name[prefix] == '_' &&
      g_ascii_strncasecmp(table->name, name, prefix) == 0) {
    gssize c = vgw_param_find_column(table, name + prefix + 1,
                                     len - prefix - 1);
    if (c >= 0) return c;
  }
  for (gsize c = 0; c < table->n_columns; c++)
    if (name_equal(table->columns[c].name, name, len)) return (gssize)c;
  return -1;
}

const char *vgw_param_type_name(VgwParamType type) {
  switch (type) {
    case VGW_PARAM_INTEGER: return "integer";
    case VGW_PARAM_ENUM: return "enum";
    case VGW_PARAM_STRING: return "string";
    case VGW_PARAM_IPV4: return "IPv4 address";
    case VGW_PARAM_FILE_NAME: return "file name";
  }
  return "?";
}
