-- mod_profile_blocked_by: who blocked me. A reverse index of XEP-0191 blocks, a query to read it, and a
-- push to the blocked user on each change. Namespace urn:xmpp-profile:blocked-by:0 (the project's own
-- protocol; the client's codec is lib/stanzas/blocked-by.ts). Prosody 0.12, next to core mod_blocklist.
--
-- Wire format
--   feature   urn:xmpp-profile:blocked-by:0 in the host's disco#info (XEP-0030).
--   query     <iq type='get'><blocked-by xmlns='urn:xmpp-profile:blocked-by:0'/></iq>, no 'to' (the
--             user's own account answers) -> <iq type='result'><blocked-by xmlns=...><item jid='a@host'/>
--             ...</blocked-by></iq>: the bare JIDs of the local users who block this user, sorted.
--   push      to every bound session of the blocked user, once per change:
--             <message type='headline' from='<blocked bare JID>' to='<full JID>' id='...'>
--               <block xmlns='urn:xmpp-profile:blocked-by:0'><item jid='<blocker bare JID>'/></block>
--             </message>  (or <unblock/>). One blocker per push: a change is one blocker's request.
--
-- What is indexed
--   Only users of local hosts (this server's VirtualHosts): a blocked JID with a local part on a local
--   host counts as its bare JID (a full JID user@host/res blocks the user: mod_blocklist then blocks
--   that resource only, but the user is told all the same). Domain JIDs (host) and JIDs of remote or
--   component hosts are ignored. A user blocked by several items of one list (bare and full JIDs) is
--   blocked until the last of them is removed.
--
-- How a change is seen (mod_blocklist fires no event of its own)
--   The module WRAPS the events iq-set/self/urn:xmpp:blocking:block and ...:unblock (module:wrap_event).
--   A wrapper runs around all the event's handlers: it reads the blocker's list from the 'blocklist'
--   store before any handler (so before mod_blocklist at priority -1: "unblock all" is read before it
--   is emptied), lets the handlers run, reads the list again, and indexes the difference. A request
--   that mod_blocklist refuses (jid-malformed, bad-request for <block/> without items, a storage error)
--   leaves the list as it was, so the difference is empty and the index untouched; a block of a JID
--   already blocked is no change either (no push). Everything runs in one synchronous pass, so two
--   requests cannot interleave between the two reads.
--
-- Storage
--   'profile_blocked_by' (keyval), kept on the BLOCKED user's host, keyed by the blocked user's name:
--   { ["blocker@host"] = <time blocked> }. 'profile_blocked_by_state' (host-wide keyval on the
--   blocker's host) records that the first build below was done.
--
-- Accounts and history
--   * A blocker's account deleted (user-deleted, which Prosody fires before it purges the account's
--     data): its entries are dropped from the index and each user it blocked gets an <unblock/> push.
--   * A blocked account deleted: Prosody purges its data, this index included. The blockers' lists
--     still name it (mod_blocklist keeps them), so an account later created with the same name is not
--     told of those blocks until a blocker changes them.
--   * First load on a host: the index is built once from the host's existing 'blocklist' stores, where
--     the storage driver can list users (internal storage can). Blocks changed while the module was
--     not loaded after that first build are not seen.

local st = require "util.stanza";
local jid_split = require "util.jid".split;
local new_id = require "util.id".medium;
local storagemanager = require "core.storagemanager";

local NS_BLOCKED_BY = "urn:xmpp-profile:blocked-by:0";
local INDEX_STORE = "profile_blocked_by";
local STATE_STORE = "profile_blocked_by_state";
local INDEX_VERSION = 1;

local hosts = prosody.hosts;
local host = module.host;
local blocklists = module:open_store("blocklist"); -- mod_blocklist's own store on this host
local state_store = module:open_store(STATE_STORE);

module:add_feature(NS_BLOCKED_BY);

local function is_local_host(name)
	local host_session = name and hosts[name];
	return host_session ~= nil and host_session.type == "local";
end

-- The local users a stored blocklist blocks: { ["user@host"] = true }. Keys are already prepped by
-- mod_blocklist; the [false] key holds its metadata.
local function blocked_users(list)
	local users = {};
	if type(list) ~= "table" then return users; end
	for jid in pairs(list) do
		if type(jid) == "string" then
			local node, node_host = jid_split(jid);
			if node and is_local_host(node_host) then
				users[node .. "@" .. node_host] = true;
			end
		end
	end
	return users;
end

local function read_blocked_users(username)
	local list, err = blocklists:get(username);
	if list == nil and err then
		module:log("error", "Could not read the blocklist of %s: %s", username, err);
	end
	return blocked_users(list);
end

-- Adds (when is given) or removes one blocker of one blocked user in the index.
local function set_entry(blocked, blocker, when)
	local node, node_host = jid_split(blocked);
	local store = storagemanager.open(node_host, INDEX_STORE);
	local entries, err = store:get(node);
	if entries == nil and err then
		module:log("error", "Could not read who blocks %s: %s", blocked, err);
		return;
	end
	entries = entries or {};
	if (entries[blocker] ~= nil) == (when ~= nil) then return; end -- already so
	entries[blocker] = when;
	local ok, set_err = store:set(node, next(entries) ~= nil and entries or nil);
	if not ok then
		module:log("error", "Could not record who blocks %s: %s", blocked, set_err);
	end
end

-- Sends the push to every bound session of the blocked user.
local function push(blocked, action, blocker)
	local node, node_host = jid_split(blocked);
	local user = hosts[node_host] and hosts[node_host].sessions[node];
	if not user then return; end
	for _, session in pairs(user.sessions) do
		if session.full_jid then
			session.send(st.message({ type = "headline", from = blocked, to = session.full_jid, id = new_id() })
				:tag(action, { xmlns = NS_BLOCKED_BY })
					:tag("item", { jid = blocker }));
		end
	end
end

-- Indexes what changed between two results of blocked_users, and tells the users concerned.
local function apply_change(blocker, before, after)
	local now = os.time();
	for blocked in pairs(after) do
		if not before[blocked] then
			set_entry(blocked, blocker, now);
			push(blocked, "block", blocker);
		end
	end
	for blocked in pairs(before) do
		if not after[blocked] then
			set_entry(blocked, blocker, nil);
			push(blocked, "unblock", blocker);
		end
	end
end

-- Wraps mod_blocklist's handling of one block/unblock request: read, handle, read again, index.
local function track_blocklist_change(handlers, event_name, event)
	local origin = event.origin;
	local username = origin and origin.type == "c2s" and origin.username;
	if not username then return handlers(event_name, event); end
	local before = read_blocked_users(username);
	local ret = handlers(event_name, event);
	apply_change(username .. "@" .. host, before, read_blocked_users(username));
	return ret;
end

module:wrap_event("iq-set/self/urn:xmpp:blocking:block", track_blocklist_change);
module:wrap_event("iq-set/self/urn:xmpp:blocking:unblock", track_blocklist_change);

module:hook("iq-get/self/" .. NS_BLOCKED_BY .. ":blocked-by", function (event)
	local origin, stanza = event.origin, event.stanza;
	local entries, err = storagemanager.open(host, INDEX_STORE):get(origin.username);
	if entries == nil and err then
		module:log("error", "Could not read who blocks %s: %s", origin.username, err);
		origin.send(st.error_reply(stanza, "wait", "internal-server-error"));
		return true;
	end
	local jids = {};
	for jid in pairs(entries or {}) do jids[#jids + 1] = jid; end
	table.sort(jids);
	local reply = st.reply(stanza):tag("blocked-by", { xmlns = NS_BLOCKED_BY });
	for _, jid in ipairs(jids) do
		reply:tag("item", { jid = jid }):up();
	end
	origin.send(reply);
	return true;
end);

-- A deleted blocker blocks no one any more (fired before Prosody purges the account's stores).
module:hook_global("user-deleted", function (event)
	if event.host ~= host then return; end
	apply_change(event.username .. "@" .. host, read_blocked_users(event.username), {});
end);

-- First load on this host: index the blocks that already exist.
local function build_index()
	local state = state_store:get(nil);
	if type(state) == "table" and state.version == INDEX_VERSION then return; end
	if type(blocklists.users) ~= "function" then
		module:log("info", "The storage cannot list users: blocks made before this module was loaded are not indexed");
		return;
	end
	local blockers, entries = 0, 0;
	for username in blocklists:users() do
		blockers = blockers + 1;
		local blocker, now = username .. "@" .. host, os.time();
		for blocked in pairs(read_blocked_users(username)) do
			set_entry(blocked, blocker, now);
			entries = entries + 1;
		end
	end
	local ok, err = state_store:set(nil, { version = INDEX_VERSION, built = os.time() });
	if not ok then
		module:log("error", "Could not record the build of the blocked-by index: %s", err);
	end
	module:log("info", "Built the blocked-by index: %d existing blocklists, %d entries", blockers, entries);
end

-- Every VirtualHost must exist before the build (entries go to the blocked user's host).
if prosody.start_time then
	build_index(); -- loaded into a running server
else
	module:hook_global("server-started", build_index);
end
