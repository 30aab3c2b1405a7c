-- Prosody 0.12 configuration TEMPLATE for the project's own test server (loopback only).
--
-- Rendered by scripts/servers.mjs into a throw-away data folder: every {{...}} placeholder below is replaced
-- (DATA_DIR, REPO, HTTP_PORT, C2S_PORT, DOMAIN, SANDBOX_DOMAIN, PRIVACY_DOMAIN, UPLOAD_HOST, HTTP_BASE). Do not start
-- Prosody on this file directly.
--
-- Settings that matter (facts in shared/notes/servers.md):
--   run_as_root = true          started as root by the test scripts; without it Prosody refuses and hangs.
--   daemonize = false           the script owns the process and its pid.
--   c2s_require_encryption      false: there is no TLS here; otherwise a ws:// stream gets no features.
--   consider_*_secure           offer PLAIN (not only SCRAM-SHA-1) on plain ws:// and http:// BOSH.
--   http_default_host           HTTP is routed by the Host header; 127.0.0.1 must map to "localhost".
--   s2s disabled, no s2s ports  nothing of this server talks to the outside world.
--   https_ports = {}            no certificates: an https listener would only log errors.
--   plugin_paths                the project's own Prosody modules (server/prosody/modules): see the end
--                               of modules_enabled.
-- Prosody does not exit when a module fails to load: the start script checks the log for errors.

run_as_root = true
daemonize = false
pidfile = "{{DATA_DIR}}/prosody.pid"
data_path = "{{DATA_DIR}}/data"
log = {
	{ levels = { min = "info" }, to = "file", filename = "{{DATA_DIR}}/prosody.log" };
}

-- No TLS: an empty certificate folder (created by the script) keeps certmanager from logging an error.
certificates = "{{DATA_DIR}}/certs"

plugin_paths = { "{{REPO}}/server/prosody/modules" }

admins = { }

-- Network: loopback only, fixed test ports, no s2s, no TLS listeners.
interfaces = { "127.0.0.1" }
c2s_ports = { {{C2S_PORT}} }
s2s_ports = { }
c2s_direct_tls_ports = { }
legacy_ssl_ports = { }
http_interfaces = { "127.0.0.1" }
http_ports = { {{HTTP_PORT}} }
https_ports = { }
http_default_host = "{{DOMAIN}}"
modules_disabled = { "s2s" }

c2s_require_encryption = false
consider_websocket_secure = true
consider_bosh_secure = true
-- Browsers connect from other origins: CORS for WebSocket and BOSH. In 0.12 this is on by default for
-- every origin; the old cross_domain_websocket / cross_domain_bosh options are ignored (only logged as
-- deprecated), so the effective switch is set instead.
http_default_cors_enabled = true

allow_registration = true
authentication = "internal_hashed"
storage = "internal"

modules_enabled = {
	"roster";        -- RFC 6121 roster, always versioned (XEP-0237)
	"saslauth";
	"disco";
	"register";      -- XEP-0077 in-band registration
	"vcard";         -- vcard-temp (XEP-0054) stored as sent. Not vcard_legacy: it converts to vCard4
	                 -- and back, losing fields (DESC becomes NOTE, TEL types dropped, empty N added).
	                 -- vCard4 (XEP-0292) is published over PEP (mod_pep) on its own.
	"pep";
	"lastactivity";  -- XEP-0012
	"blocklist";     -- XEP-0191
	"privacy_lists"; -- XEP-0016 (prosody-modules)
	"websocket";     -- RFC 7395, /xmpp-websocket
	"bosh";          -- XEP-0124/0206, /http-bind
	"smacks";        -- XEP-0198 with resumption
	"ping";
	"csi_simple";
	"carbons";
	"private";
	"time";
	"version";
	"uptime";
	"posix";
	-- The project's own modules (server/prosody/modules), loaded on every VirtualHost:
	"profile_blocked_by"; -- who blocked me: reverse index of XEP-0191 blocks, query and pushes
	                      -- (urn:xmpp-profile:blocked-by:0)
	"profile_token";      -- OAuth 2.0 password grant at {{HTTP_BASE}}oauth/token; its tokens log in
	                      -- with SASL OAUTHBEARER and X-OAUTH2 next to SCRAM-SHA-1 and PLAIN
}

-- Lifetime of a token from mod_profile_token, in seconds. A request may ask for a shorter one with the
-- form parameter expires_in (never longer).
profile_token_ttl = 3600

VirtualHost "{{DOMAIN}}"

VirtualHost "{{SANDBOX_DOMAIN}}"

-- A host without XEP-0191 (no mod_blocklist, hence no "who blocked me") but with XEP-0016 privacy
-- lists, as some servers are: the SDK's blocking falls back to a privacy list there, and the specs
-- check that against a real server.
VirtualHost "{{PRIVACY_DOMAIN}}"
	modules_disabled = { "blocklist", "profile_blocked_by" }

-- XEP-0363 HTTP File Upload, served at {{HTTP_BASE}}file_share/... Users of every VirtualHost here may
-- upload (http_file_share_access left unset: setting it would replace that default, not extend it).
Component "{{UPLOAD_HOST}}" "http_file_share"
	http_host = "{{DOMAIN}}"
	http_external_url = "{{HTTP_BASE}}"
	http_file_share_size_limit = 10485760
