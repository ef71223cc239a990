/**
 * Lua run atomically by Redis, so that numbering, storing and announcing an
 * event can never interleave with another writer's. Snapshot fields hold JSON
 * values; the scripts only move them, never decode them. Every key a script
 * touches comes in KEYS (Redis needs it to route and to replicate correctly):
 *
 *   KEYS[1] snapshot hash, KEYS[2] events list, KEYS[3] channel,
 *   KEYS[4] the tenant's index, KEYS[5..9] its status indexes (queued, running,
 *   completed, failed, cancelled), KEYS[10] the tenant's expiries.
 */
export const JOB_KEY_COUNT = 10;

/** Index entries whose job has expired, removed by one write at most (each write adds one). */
const TRIM_BATCH = 100;

/** Shared head of the scripts; `base` is the KEYS position of the tenant's index (7 keys from there). */
function prelude(base: number): string {
  const key = (offset: number) => `KEYS[${base + offset}]`;
  return `
local STATUS_INDEX = { queued = ${key(1)}, running = ${key(2)}, completed = ${key(3)}, failed = ${key(4)}, cancelled = ${key(5)} }
local EXPIRIES = ${key(6)}
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
-- Forgets, in every index of the tenant, the ended jobs whose keys have expired by now.
local function trim()
  local gone = redis.call('ZRANGEBYSCORE', EXPIRIES, '-inf', now, 'LIMIT', 0, ${TRIM_BATCH})
  if #gone == 0 then return 0 end
  for i = ${base}, ${base + 6} do redis.call('ZREM', KEYS[i], unpack(gone)) end
  return #gone
end
`;
}
const PRELUDE = prelude(4);

/**
 * Creates a job unless its id exists.
 * ARGV: id, created-at (ms), the \`queued\` event without its leading \`{\`, writer, write
 * number, then field/value pairs (tenant and token included).
 * Returns 1 when created (also when this very write is sent again after a lost reply), 0 when
 * the id was taken.
 */
export const CREATE_SCRIPT = `${PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 1 then
  local mark = redis.call('HMGET', KEYS[1], 'writer', 'writeNumber')
  if mark[1] == ARGV[4] and mark[2] == ARGV[5] then return 1 end
  return 0
end
local fields = {}
for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], 'lastSeq', 1, 'createdMs', ARGV[2], 'writer', ARGV[4], 'writeNumber', ARGV[5], unpack(fields))
local event = '{"seq":1,' .. ARGV[3]
redis.call('DEL', KEYS[2])
redis.call('RPUSH', KEYS[2], event)
-- An earlier job under this id (expired since) may have left entries behind.
for i = 6, 10 do redis.call('ZREM', KEYS[i], ARGV[1]) end
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[2], ARGV[1])
trim()
redis.call('PUBLISH', KEYS[3], event)
return 1
`;

/**
 * Appends events of one job in one call: one check, one RPUSH, one HSET of the
 * merged snapshot fields, one index update, then one PUBLISH per event.
 * ARGV: id, tenant, attempt (or -1 to accept any), ttl seconds, the last event's status,
 * terminal (1/0), writer, write number, the event count N, N events without their leading
 * \`{\`, then the merged field/value pairs.
 * The writer (one per process) numbers its writes: a write the client sends again after a
 * lost reply (ioredis resends unanswered commands on reconnect) is applied once.
 * Returns the last event's seq (the job's last seq for a repeated write); 0 when the job has
 * ended or a newer attempt owns it; -1 when unknown; -2 when the job belongs to another
 * tenant than the keys passed.
 */
export const APPEND_SCRIPT = `${PRELUDE}
local current = redis.call('HMGET', KEYS[1], 'status', 'attempt', 'createdMs', 'lastSeq', 'tenant', 'writer', 'writeNumber')
local status = current[1]
if not status then return -1 end
if current[5] ~= ARGV[2] then return -2 end
if current[6] == ARGV[7] and tonumber(current[7]) >= tonumber(ARGV[8]) then return tonumber(current[4]) end
if status == '"completed"' or status == '"failed"' or status == '"cancelled"' then return 0 end
local attempt = tonumber(ARGV[3])
if attempt >= 0 and attempt < tonumber(current[2]) then return 0 end
local seq = tonumber(current[4])
local count = tonumber(ARGV[9])
local events = {}
for i = 1, count do
  seq = seq + 1
  events[i] = '{"seq":' .. seq .. ',' .. ARGV[9 + i]
end
redis.call('RPUSH', KEYS[2], unpack(events))
local fields = { 'lastSeq', seq, 'writer', ARGV[7], 'writeNumber', ARGV[8] }
for i = 10 + count, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
local previous = string.sub(status, 2, -2)
if previous ~= ARGV[5] then
  redis.call('ZREM', STATUS_INDEX[previous], ARGV[1])
  redis.call('ZADD', STATUS_INDEX[ARGV[5]], current[3], ARGV[1])
end
if ARGV[6] == '1' then
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
  trim()
  redis.call('ZADD', EXPIRIES, now + tonumber(ARGV[4]) * 1000, ARGV[1])
end
for _, event in ipairs(events) do redis.call('PUBLISH', KEYS[3], event) end
return seq
`;

/**
 * Removes a job that never reached the queue, with its index entries.
 * ARGV: id, tenant. Returns 1 when removed, 0 when there is no such job of that tenant.
 */
export const DISCARD_SCRIPT = `
if redis.call('HGET', KEYS[1], 'tenant') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
for i = 4, 10 do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
`;

/**
 * Trims one tenant's indexes: the reconciliation's sweep, for tenants that stopped writing.
 * KEYS: the tenant's index, its five status indexes, its expiries. Returns how many ids went.
 */
export const TRIM_SCRIPT = `${prelude(1)}
return trim()
`;
