-- /etc/dovecot/mailfort-app-passwords.lua: mailfort. The app-password passdb (mailfort:auth.appPasswords).
-- Dovecot stays the one authority: IMAP, POP3 and (through Postfix's SASL) SMTP AUTH all ask it.
-- Accepts a password when it is one of the mailbox's app passwords:
--   made in the webmail: <dir>/<domain>/<local part>, lines "id TAB created TAB hash TAB name";
--     the id is the password's first group, so one hash is checked per login; each use is
--     noted in <local part>.<id>.used (the webmail lists it as "last used");
--   declared in the stack (service accounts, hash from SSM): /etc/dovecot/app-passwords,
--     lines "address TAB name TAB hash", written by mailfort-secrets.
-- Anything else: from the host itself (the webmail) the next passdb (the mailbox password)
-- decides; from anywhere else it is a mismatch, final.

local WEBMAIL_DIR = "/srv/mailfort/webmail/app-passwords"
local DECLARED = "/etc/dovecot/app-passwords"
local PASSDB = dovecot.auth

-- The same strict address shape as the host's other checks: no '/', no leading dot.
local function split_address(user)
  local localpart, domain = string.match(user, "^([a-z0-9][a-z0-9._+-]*)@([a-z0-9][a-z0-9.-]*%.[a-z][a-z]+)$")
  if localpart == nil or #localpart > 64 or #domain > 253 or string.find(user, "..", 1, true) then return nil end
  return localpart, domain
end

local function fields(line)
  local out = {}
  for f in string.gmatch(line, "[^\t]+") do out[#out + 1] = f end
  return out
end

local function lines(path)
  local f = io.open(path, "r")
  if f == nil then return function() return nil end end
  return function()
    local line = f:read("l")
    if line == nil then f:close() end
    return line
  end
end

-- The last use of a webmail-made password, for the webmail's list. The webmail made the file
-- (its owner and mode stay the webmail's); the time overwrites it in place (ten digits until 2286).
local function note_use(base, id)
  local f = io.open(base .. "." .. id .. ".used", "r+")
  if f == nil then return end
  f:write(string.format("%010d", os.time()))
  f:close()
end

local function matches(req, hash, pass)
  return req:password_verify(hash, pass) == PASSDB.PASSDB_RESULT_OK
end

-- The mailbox password is the webmail's alone, and the webmail signs in from the host itself.
local function from_this_host(req)
  return req.remote_ip == "127.0.0.1" or req.remote_ip == "::1"
end

function auth_password_verify(req, pass)
  local localpart, domain = split_address(req.user)
  if localpart == nil then return PASSDB.PASSDB_RESULT_USER_UNKNOWN, "not a mailbox address" end
  local id = string.match(pass, "^([a-z2-9][a-z2-9][a-z2-9][a-z2-9])%-")
  if id ~= nil then
    local base = WEBMAIL_DIR .. "/" .. domain .. "/" .. localpart
    for line in lines(base) do
      local f = fields(line)
      if f[1] == id and f[3] ~= nil and matches(req, f[3], pass) then
        note_use(base, id)
        return PASSDB.PASSDB_RESULT_OK, {}
      end
    end
  end
  for line in lines(DECLARED) do
    local f = fields(line)
    if f[1] == req.user and f[3] ~= nil and matches(req, f[3], pass) then
      return PASSDB.PASSDB_RESULT_OK, {}
    end
  end
  -- From the host (the webmail): not an app password, so the mailbox password decides (next passdb).
  if from_this_host(req) then return PASSDB.PASSDB_RESULT_NEXT, "" end
  -- From anywhere else only an app password opens the mailbox: refuse now. The mailbox password's
  -- passdb would refuse it too (allow_nets), but only after checking its hash: seconds of CPU per
  -- guess on a small instance, and past the 10 s Postfix's SASL client waits for an answer.
  return PASSDB.PASSDB_RESULT_PASSWORD_MISMATCH, "no app password matched"
end

-- Only plain-text mechanisms are offered (auth_mechanisms = plain login): no credentials lookup.
function auth_passdb_lookup(req)
  return PASSDB.PASSDB_RESULT_USER_UNKNOWN, "app passwords are verified, never looked up"
end
