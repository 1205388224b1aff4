"""The rate governor's two Lua scripts: every decision is one atomic step in Redis.

KEYS[1], a hash per store: `quota`, `window` (ms, from the headers); `end`, an upper
bound of when the server's current window ends; `opened`, when we counted it as begun;
`guessed`, 1 while `end` is our guess, before any answer from the window came back;
`used`, requests counted against it (ours granted, plus those still in flight from
before it began, which may land in it); `seen`, the highest count the server itself
reported for it; `paused` (no request before this instant); `stage` (header-less 429s in
a row); `probe` (lease of the one request that may go while nothing is known); `seq`.
KEYS[2], a sorted set: the grants in flight, scored by when they were granted.

Time is Redis TIME in ms, so every process on every host shares one clock.
"""

NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# ARGV: default quota, default window ms, guard ms, reserve fraction, lease ms (how long a
# granted request may stay unanswered before it no longer counts), poll ms, ttl ms.
# Returns {0, ticket} (send now) or {ms to wait before asking again, 0}.
ACQUIRE = (
    NOW
    + """
local key, inflight = KEYS[1], KEYS[2]
local s = redis.call('HMGET', key, 'quota', 'window', 'end', 'used', 'paused', 'probe')
local quota = tonumber(s[1]) or tonumber(ARGV[1])
local window = tonumber(s[2]) or tonumber(ARGV[2])
local wend = tonumber(s[3]) or 0
local used = tonumber(s[4]) or 0
local paused = tonumber(s[5]) or 0
local probe = tonumber(s[6]) or 0
local guard = tonumber(ARGV[3])
if now < paused then
  return {paused - now, 0}
end
-- A grant whose answer never came (its process died) stops counting after the lease.
redis.call('ZREMRANGEBYSCORE', inflight, '-inf', now - tonumber(ARGV[5]))
local function grant()
  local ticket = redis.call('HINCRBY', key, 'seq', 1)
  redis.call('ZADD', inflight, now, ticket)
  redis.call('PEXPIRE', key, ARGV[7])
  redis.call('PEXPIRE', inflight, ARGV[7])
  return {0, ticket}
end
if now >= wend + window then
  -- Nothing known about the server's current window (first use, or idle for a whole
  -- window): one request goes and its headers tell everyone else where we stand.
  if now < probe then
    return {math.min(tonumber(ARGV[6]), probe - now), 0}
  end
  redis.call('HSET', key, 'probe', now + tonumber(ARGV[5]))
  return grant()
end
if now >= wend then
  -- The server's window has certainly ended (`end` is an upper bound); the next request
  -- opens a fresh one, which ends by now + window + guard (the trip to the server).
  -- Requests still in flight may land in it, so they count until their answers say not.
  wend = now + window + guard
  used = redis.call('ZCARD', inflight)
  redis.call('HSET', key, 'end', wend, 'opened', now, 'seen', 0, 'used', used, 'guessed', 1)
end
local reserve = math.max(1, math.ceil(quota * tonumber(ARGV[4])))
if used >= quota - reserve or now > wend - guard then
  -- Spent, or so close to the end that the request would likely land in the next window.
  return {math.max(1, wend - now), 0}
end
redis.call('HSET', key, 'used', used + 1)
return grant()
"""
)

# ARGV: ticket, has headers (1/0), quota, window ms, requests left, reset ms, retry-after
# ms, HTTP status (0 = no answer), backoff base ms, backoff max ms, ttl ms.
# Returns the ms the whole fleet now waits because of this answer (0 = none).
OBSERVE = (
    NOW
    + """
local key, inflight = KEYS[1], KEYS[2]
local status = tonumber(ARGV[8])
local s = redis.call('HMGET', key, 'end', 'used', 'paused', 'opened', 'seen', 'guessed')
local wend = tonumber(s[1]) or 0
local used = tonumber(s[2]) or 0
local paused = tonumber(s[3]) or 0
local opened = tonumber(s[4]) or 0
local seen = tonumber(s[5]) or 0
local guessed = s[6] == '1'
local granted = tonumber(redis.call('ZSCORE', inflight, ARGV[1]))
redis.call('ZREM', inflight, ARGV[1])
redis.call('HDEL', key, 'probe')
if ARGV[2] == '0' then
  if status ~= 429 then
    return 0
  end
  -- A 429 without rate-limit headers is platform load (reference 2.3): back off, longer
  -- after each one in a row, and the whole fleet with us.
  local stage = redis.call('HINCRBY', key, 'stage', 1)
  local pause = math.min(tonumber(ARGV[10]), tonumber(ARGV[9]) * 2 ^ (stage - 1))
  redis.call('HSET', key, 'paused', math.max(paused, now + pause))
  redis.call('PEXPIRE', key, ARGV[11])
  return pause
end
local quota, window = tonumber(ARGV[3]), tonumber(ARGV[4])
local left, reset = tonumber(ARGV[5]), tonumber(ARGV[6])
-- The answer left the server before now, so now + reset is an upper bound of its end.
local seen_end = now + reset
if seen_end > wend + window / 2 then
  -- A window we had not modelled: first contact, or opened early by a request of ours
  -- that crossed the reset, or by another app. Whatever is still in flight may land in it.
  wend, seen, opened, guessed = seen_end, quota - left, now, false
  used = seen + redis.call('ZCARD', inflight)
elseif seen_end >= wend - window / 2 then
  -- The guess made at the reset assumed a quick trip to the server; an answer knows.
  wend = guessed and seen_end or math.min(wend, seen_end)
  seen, guessed = math.max(seen, quota - left), false
  used = math.max(used, seen)
elseif granted and granted < opened then
  -- Sent before this window began and counted in it, but it landed in the last one.
  used = math.max(used - 1, seen)
end
local wait = 0
if status == 429 then
  wait = math.max(reset, tonumber(ARGV[7]))
  used = quota
  paused = math.max(paused, now + wait)
elseif status >= 500 and left <= 0 then
  -- A rate limit surfacing as a 500 (DOC-ERR): the spent window is the cause.
  wait = math.max(1, wend - now)
elseif now >= paused then
  redis.call('HDEL', key, 'stage')
end
redis.call('HSET', key, 'quota', quota, 'window', window, 'end', wend, 'used', used,
  'seen', seen, 'opened', opened, 'paused', paused, 'guessed', guessed and 1 or 0)
redis.call('PEXPIRE', key, ARGV[11])
return wait
"""
)
