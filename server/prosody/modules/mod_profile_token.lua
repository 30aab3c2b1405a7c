-- mod_profile_token: an OAuth 2.0 token endpoint (password grant) and SASL login with its tokens, for
-- Prosody 0.12, which has neither (core mod_tokenauth is a Lua API only). Needs nothing beyond Debian's
-- prosody package: util.sasl, the host's auth provider, mod_http.
--
-- HTTP: POST <http base>/oauth/token  (RFC 6749 §4.3, Resource Owner Password Credentials Grant)
--   Body application/x-www-form-urlencoded: grant_type=password, username, password, and optionally
--   scope (kept with the token and echoed back, not interpreted) and expires_in (this project's
--   addition: a lifetime in whole seconds, at least 1, that may only SHORTEN the configured one; a
--   longer one is cut to it). username is a local part (of the host the request is routed to: with
--   http_default_host, localhost for http://127.0.0.1) or user@host for any VirtualHost that loads
--   this module.
--   200 {"access_token","token_type":"bearer","expires_in","scope"?}, Cache-Control: no-store and
--   Pragma: no-cache (§5.1). Errors (§5.2) are 400 {"error","error_description"}: invalid_request (a
--   parameter missing, repeated (§3.2) or malformed, or another Content-Type), unsupported_grant_type,
--   invalid_grant (wrong username or password: §5.2 puts "invalid resource owner credentials" under
--   invalid_grant, answered 400; 401 is for client authentication, which this public endpoint does not
--   use). CORS is mod_http's (http_default_cors_enabled): OPTIONS preflight and
--   Access-Control-Allow-Origin; POST joins the allowed methods.
--
-- SASL: OAUTHBEARER (RFC 7628) and X-OAUTH2 (Google's form, as ejabberd accepts it), offered next to
--   the auth provider's own mechanisms (SCRAM-SHA-1, PLAIN stay). The mechanisms are registered in
--   util.sasl with no backend, so they appear only in the handlers this module extends: the host's auth
--   provider's get_sasl_handler is wrapped (restored on unload) to add them, for sessions that count
--   as secure (TLS, or consider_websocket_secure / consider_bosh_secure), or on any stream where
--   allow_unencrypted_plain_auth is set: the same rule as PLAIN, since a bearer token is a password.
--   OAUTHBEARER: gs2 header n or y (no channel binding), optional a=user@host (host must be this
--   host; without it the token names the user), kvpairs (host=, port= ignored), auth=Bearer <token>.
--   A bad token gets the RFC 7628 §3.2.2 error challenge {"status":"invalid_token"}; the client's
--   %x01 answer then gets <failure><not-authorized/></failure>. X-OAUTH2: \0user\0token (user may be
--   user@host; an authzid before the first \0 must name the same user); a bad token fails at once
--   with not-authorized. An unknown, expired or revoked token, or one issued to another user, is
--   refused; so is a token of a deleted account (its token store goes with its data).
--
-- Tokens: "pt1.<base64url(username)>.<43 base64url characters: 256 random bits>". Only the SHA-256 of
--   the random part is stored, in the per-user keyval store 'profile_tokens' of the user's host:
--   { [hex sha256] = { created, expires, scope } } (times with sub-second precision). Expired tokens
--   are dropped when the user gets a new token or presents an expired one.
--
-- Options (per host):
--   profile_token_ttl   default lifetime of a token in seconds (default 3600)

local usermanager = require "core.usermanager";
local storagemanager = require "core.storagemanager";
local modulemanager = require "core.modulemanager";
local registerMechanism = require "util.sasl".registerMechanism;
local jid_split = require "util.jid".split;
local stringprep = require "util.encodings".stringprep;
local base64 = require "util.encodings".base64;
local sha256 = require "util.hashes".sha256;
local random_bytes = require "util.random".bytes;
local formdecode = require "util.http".formdecode;
local json = require "util.json";
local now = require "util.time".now;

local nodeprep, nameprep, saslprep = stringprep.nodeprep, stringprep.nameprep, stringprep.saslprep;

local TOKEN_STORE = "profile_tokens";
local TOKEN_PREFIX = "pt1";

local hosts = prosody.hosts;
local host = module.host;

local default_ttl = math.floor(module:get_option_number("profile_token_ttl", 3600));
if default_ttl < 1 then
	module:log("error", "profile_token_ttl must be at least 1 second; using 3600");
	default_ttl = 3600;
end
local allow_insecure = module:get_option_boolean("allow_unencrypted_plain_auth", false);

module:depends("http");

-- Tokens ---------------------------------------------------------------------------------------------

local function b64url_encode(data)
	return (base64.encode(data):gsub("[+/=]", { ["+"] = "-", ["/"] = "_", ["="] = "" }));
end

local function b64url_decode(text)
	local padded = text:gsub("[-_]", { ["-"] = "+", ["_"] = "/" }) .. string.rep("=", (4 - #text % 4) % 4);
	local data = base64.decode(padded);
	if data == nil or data == "" then return nil; end
	return data;
end

local function parse_token(token)
	local user_part, secret = token:match("^" .. TOKEN_PREFIX .. "%.([%w_%-]+)%.([%w_%-]+)$");
	if not user_part then return nil; end
	return b64url_decode(user_part), secret;
end

local function drop_expired(tokens, at)
	for key, info in pairs(tokens) do
		if type(info) ~= "table" or type(info.expires) ~= "number" or info.expires <= at then
			tokens[key] = nil;
		end
	end
end

-- Issues a token for user on token_host, valid for ttl seconds.
local function issue_token(token_host, username, ttl, scope)
	local store = storagemanager.open(token_host, TOKEN_STORE);
	local tokens, err = store:get(username);
	if tokens == nil and err then return nil, err; end
	tokens = tokens or {};
	local created = now();
	drop_expired(tokens, created);
	local secret = b64url_encode(random_bytes(32));
	tokens[sha256(secret, true)] = { created = created, expires = created + ttl, scope = scope };
	local ok, set_err = store:set(username, tokens);
	if not ok then return nil, set_err; end
	return TOKEN_PREFIX .. "." .. b64url_encode(username) .. "." .. secret;
end

-- Whether token is a live token of user on token_host (username already nodeprepped).
local function check_token(token_host, username, token)
	local token_user, secret = parse_token(token);
	if token_user == nil or token_user ~= username then return false; end
	local store = storagemanager.open(token_host, TOKEN_STORE);
	local tokens = store:get(username);
	if type(tokens) ~= "table" then return false; end
	local key = sha256(secret, true);
	local info = tokens[key];
	if type(info) ~= "table" then return false; end
	local at = now();
	if type(info.expires) ~= "number" or info.expires <= at then
		drop_expired(tokens, at);
		store:set(username, next(tokens) ~= nil and tokens or nil);
		return false;
	end
	return usermanager.user_exists(username, token_host);
end

-- HTTP token endpoint ----------------------------------------------------------------------------------

local function json_response(code, body)
	return {
		status_code = code;
		headers = {
			content_type = "application/json;charset=utf-8";
			cache_control = "no-store"; -- RFC 6749 §5.1
			pragma = "no-cache";
		};
		body = json.encode(body);
	};
end

local function oauth_error(code, description) -- RFC 6749 §5.2
	return json_response(400, { error = code, error_description = description });
end

-- The host of a username parameter: user@host (a local host loading this module) or this host.
local function resolve_user(username)
	local node, user_host = username, host;
	if username:find("@", 1, true) then
		local split_node, split_host, resource = jid_split(username);
		if not split_node or resource then return nil; end
		node, user_host = split_node, nameprep(split_host);
	end
	node = nodeprep(node);
	if not node or node == "" or not user_host then return nil; end
	if not (hosts[user_host] and hosts[user_host].type == "local" and modulemanager.is_loaded(user_host, module.name)) then
		return nil;
	end
	return node, user_host;
end

local function token_endpoint(event)
	local request = event.request;
	local content_type = (request.headers.content_type or ""):lower();
	if not content_type:match("^application/x%-www%-form%-urlencoded%s*;?") then
		return oauth_error("invalid_request", "the body must be application/x-www-form-urlencoded");
	end
	local form = request.body and request.body ~= "" and formdecode(request.body);
	if type(form) ~= "table" then
		return oauth_error("invalid_request", "missing grant_type");
	end
	local seen = {};
	for _, field in ipairs(form) do
		if seen[field.name] then -- RFC 6749 §3.2: no parameter more than once
			return oauth_error("invalid_request", "repeated parameter " .. field.name);
		end
		seen[field.name] = true;
	end
	if not form.grant_type or form.grant_type == "" then
		return oauth_error("invalid_request", "missing grant_type");
	elseif form.grant_type ~= "password" then
		return oauth_error("unsupported_grant_type", "only grant_type=password is supported");
	end
	local username, password = form.username, form.password;
	if not username or username == "" then
		return oauth_error("invalid_request", "missing username");
	elseif not password or password == "" then
		return oauth_error("invalid_request", "missing password");
	end
	local ttl = default_ttl;
	if form.expires_in then
		local asked = form.expires_in:match("^%d+$") and tonumber(form.expires_in);
		if not asked or asked < 1 then
			return oauth_error("invalid_request", "expires_in must be a whole number of seconds, at least 1");
		end
		ttl = math.min(ttl, math.floor(asked));
	end
	local scope = form.scope ~= "" and form.scope or nil;

	local node, user_host = resolve_user(username);
	password = saslprep(password); -- as SASL PLAIN does before checking
	if not node or not password or not usermanager.test_password(node, user_host, password) then
		module:log("info", "Token refused for %s: wrong username or password", username);
		return oauth_error("invalid_grant", "wrong username or password");
	end
	local token, err = issue_token(user_host, node, ttl, scope);
	if not token then
		module:log("error", "Could not store a token for %s@%s: %s", node, user_host, err);
		return json_response(500, { error = "server_error" });
	end
	module:log("info", "Token issued for %s@%s, valid %d s", node, user_host, ttl);
	return json_response(200, { access_token = token, token_type = "bearer", expires_in = ttl, scope = scope });
end

module:provides("http", {
	default_path = "/oauth";
	route = {
		["POST /token"] = token_endpoint;
	};
});

-- SASL mechanisms ---------------------------------------------------------------------------------------
-- Registered globally in util.sasl (last registration wins; the same code on every host); each call
-- checks the token through the handler's profile, which this module's host set (profile_token).

local function decode_saslname(name) -- RFC 5801 §4: =2C is ",", =3D is "="
	if (name:gsub("=2C", ""):gsub("=3D", ""):find("=", 1, true)) then return nil; end
	return (name:gsub("=2C", ","):gsub("=3D", "="));
end

-- The username of an authorization identity or a login name: user or user@realm.
local function local_user(name, realm)
	local node, name_host = name, nil;
	if name:find("@", 1, true) then
		local resource;
		node, name_host, resource = jid_split(name);
		if not node or resource or nameprep(name_host) ~= realm then return nil; end
	end
	return nodeprep(node);
end

local function oauthbearer(self, message)
	if self.profile_token_error_sent then
		-- RFC 7628 §3.2.3: the client answered the error challenge (with %x01); the exchange fails.
		return "failure", "not-authorized", "The token is not valid";
	end
	local check = self.profile.profile_token;
	if not check then return "failure", "temporary-auth-failure"; end
	if not message then return "failure", "malformed-request"; end
	-- RFC 7628 §3.1: gs2-header kvsep *kvpair kvsep
	local cb_flag, authzid, kvpairs = message:match("^([^,]*),([^,]*),(\1.*\1)$");
	if not cb_flag then return "failure", "malformed-request", "Not an OAUTHBEARER message"; end
	if cb_flag ~= "n" and cb_flag ~= "y" then
		return "failure", "malformed-request", "Channel binding is not supported";
	end
	local auth;
	for pair in kvpairs:sub(2, -2):gmatch("([^\1]*)\1") do
		local key, value = pair:match("^(%a+)=(.*)$");
		if not key then return "failure", "malformed-request", "Malformed key/value pair"; end
		if key == "auth" then auth = value; end
	end
	local token = auth and auth:match("^[Bb][Ee][Aa][Rr][Ee][Rr] +([%w%-%._~%+/]+=*)$");
	if not token then return "failure", "malformed-request", "No bearer token"; end

	local username;
	if authzid == "" then
		username = parse_token(token); -- the token names its user
		username = username and nodeprep(username);
	else
		local name = authzid:match("^a=(.+)$");
		name = name and decode_saslname(name);
		if not name then return "failure", "malformed-request", "Malformed authorization identity"; end
		username = local_user(name, self.realm);
		if not username then return "failure", "invalid-authzid"; end
	end
	if username and check(self, username, token) then
		self.username = username;
		return "success";
	end
	self.profile_token_error_sent = true;
	return "challenge", json.encode({ status = "invalid_token" }); -- RFC 7628 §3.2.2
end

local function x_oauth2(self, message)
	local check = self.profile.profile_token;
	if not check then return "failure", "temporary-auth-failure"; end
	if not message then return "failure", "malformed-request"; end
	local authzid, authcid, token = message:match("^([^%z]*)%z([^%z]+)%z([^%z]+)$");
	if not authcid then return "failure", "malformed-request", "Not an X-OAUTH2 message"; end
	local username = local_user(authcid, self.realm);
	if not username then
		return "failure", "not-authorized", "Unable to authorize you with the token you've sent.";
	end
	if authzid ~= "" and local_user(authzid, self.realm) ~= username then
		return "failure", "invalid-authzid";
	end
	if not check(self, username, token) then
		return "failure", "not-authorized", "Unable to authorize you with the token you've sent.";
	end
	self.username = username;
	return "success";
end

registerMechanism("OAUTHBEARER", {}, oauthbearer);
registerMechanism("X-OAUTH2", {}, x_oauth2);

local function profile_check(_, username, token)
	return check_token(host, username, token);
end

-- Adds the two mechanisms to a SASL handler made by the auth provider for session.
local function extend_handler(handler, session)
	if type(handler) ~= "table" or type(handler.profile) ~= "table" or type(handler.mechs) ~= "table" then
		return handler;
	end
	if session and not session.secure and not allow_insecure then return handler; end
	handler.profile.profile_token = profile_check;
	handler.mechs["OAUTHBEARER"] = true; -- the same table as profile.mechanisms: clean_clone keeps them
	handler.mechs["X-OAUTH2"] = true;
	return handler;
end

local wrapped_provider, original_get_sasl_handler;

local function unwrap_provider()
	if wrapped_provider then
		wrapped_provider.get_sasl_handler = original_get_sasl_handler;
		wrapped_provider, original_get_sasl_handler = nil, nil;
	end
end

local function wrap_provider()
	local provider = hosts[host].users;
	if provider == wrapped_provider or not provider or provider.name == "null" then return; end
	local original = rawget(provider, "get_sasl_handler");
	if type(original) ~= "function" then return; end
	unwrap_provider();
	wrapped_provider, original_get_sasl_handler = provider, original;
	provider.get_sasl_handler = function (session, ...)
		return extend_handler(original(session, ...), session);
	end;
end

wrap_provider();
-- A provider loaded (or replaced) later: usermanager installs it at the default priority, then this runs.
module:hook("item-added/auth-provider", wrap_provider, -100);

function module.unload()
	unwrap_provider();
end
