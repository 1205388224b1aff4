"""The rate governor's two Lua scripts: every decision is one atomic step in Redis.

State, one hash per store: `quota`, `window` (ms, from the headers), `end` (an upper
bound of when the server's current window ends, in Redis TIME ms), `used` (requests
counted against that window: ours granted or the server's own count, the larger),
`paused` (no request before this instant), `stage` (header-less 429s in a row), `probe`
(lease of the one request that may go while nothing is known about the window).

Time is Redis TIME, so every process on every host shares one clock.
"""

NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS[1] state. ARGV: default quota, default window ms, guard ms, reserve fraction,
# probe lease ms, poll ms, ttl ms. Returns 0 (send now) or ms to wait before asking again.
ACQUIRE = (
    NOW
    + """
local key = KEYS[1]
local s = redis.call('HMGET', key, 'quota', 'window', 'end', 'used', 'paused', 'probe')
local quota = tonumber(s[1]) or tonumber(ARGV[1])
local window = tonumber(s[2]) or tonumber(ARGV[2])
local wend = tonumber(s[3]) or 0
local used = tonumber(s[4]) or 0
local paused = tonumber(s[5]) or 0
local probe = tonumber(s[6]) or 0
local guard = tonumber(ARGV[3])
if now < paused then
  return paused - now
end
if now >= wend + window then
  -- Nothing known about the server's current window (first use, or idle for a whole
  -- window): one request goes and its headers tell everyone else where we stand.
  if now < probe then
    return math.min(tonumber(ARGV[6]), probe - now)
  end
  redis.call('HSET', key, 'probe', now + tonumber(ARGV[5]))
  redis.call('PEXPIRE', key, ARGV[7])
  return 0
end
if now >= wend + guard then
  -- The server's window has certainly ended; the next request opens a fresh one, which
  -- cannot end before now + window (+ guard for the trip to the server).
  wend = now + window + guard
  used = 0
end
local reserve = math.max(1, math.ceil(quota * tonumber(ARGV[4])))
if used >= quota - reserve or now > wend - guard then
  -- Spent, or so close to the end that the request could land in the next window.
  return wend + guard - now
end
redis.call('HSET', key, 'end', wend, 'used', used + 1)
redis.call('PEXPIRE', key, ARGV[7])
return 0
"""
)

# KEYS[1] state. ARGV: has headers (1/0), quota, window ms, requests left, reset ms,
# retry-after ms, HTTP status (0 = no answer), backoff base ms, backoff max ms, guard ms,
# ttl ms. Returns the ms the whole fleet now waits because of this answer (0 = none).
OBSERVE = (
    NOW
    + """
local key = KEYS[1]
local status = tonumber(ARGV[7])
local s = redis.call('HMGET', key, 'end', 'used', 'paused')
local wend = tonumber(s[1]) or 0
local used = tonumber(s[2]) or 0
local paused = tonumber(s[3]) or 0
redis.call('HDEL', key, 'probe')
if ARGV[1] == '0' then
  if status ~= 429 then
    return 0
  end
  -- A 429 without rate-limit headers is platform load (reference 2.3): back off, longer
  -- after each one in a row, and the whole fleet with us.
  local stage = redis.call('HINCRBY', key, 'stage', 1)
  local pause = math.min(tonumber(ARGV[9]), tonumber(ARGV[8]) * 2 ^ (stage - 1))
  redis.call('HSET', key, 'paused', math.max(paused, now + pause))
  redis.call('PEXPIRE', key, ARGV[11])
  return pause
end
local quota, window = tonumber(ARGV[2]), tonumber(ARGV[3])
local left, reset = tonumber(ARGV[4]), tonumber(ARGV[5])
-- The answer left the server before now, so now + reset is an upper bound of its end.
local seen_end = now + reset
if seen_end > wend + window / 2 then
  -- A window we had not modelled: first contact, or other clients opened it.
  wend, used = seen_end, quota - left
elseif seen_end >= wend - window / 2 then
  wend, used = math.min(wend, seen_end), math.max(used, quota - left)
end
local wait = 0
if status == 429 then
  wait = math.max(reset, tonumber(ARGV[6]))
  used = quota
  paused = math.max(paused, now + wait)
elseif status >= 500 and left <= 0 then
  -- A rate limit surfacing as a 500 (DOC-ERR): the spent window is the cause.
  wait = math.max(0, wend + tonumber(ARGV[10]) - now)
elseif now >= paused then
  redis.call('HDEL', key, 'stage')
end
redis.call('HSET', key, 'quota', quota, 'window', window, 'end', wend, 'used', used,
  'paused', paused)
redis.call('PEXPIRE', key, ARGV[11])
return wait
"""
)
