/**
 * Lua run atomically by Redis, so that numbering, storing and announcing an
 * event can never interleave with another writer's. Snapshot fields hold JSON
 * values; the scripts only move them, never decode them.
 */

/**
 * Creates a job unless its id exists. KEYS: snapshot, events, index, queued index, channel.
 * ARGV: id, created-at score, the `queued` event without its leading `{`, then field/value pairs.
 * Returns 1 when created, 0 when the id was taken.
 */
export const CREATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fields = {}
for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], 'lastSeq', 1, 'createdMs', ARGV[2], unpack(fields))
local event = '{"seq":1,' .. ARGV[3]
redis.call('RPUSH', KEYS[2], event)
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
redis.call('PUBLISH', KEYS[5], event)
return 1
`;

/**
 * Appends an event to a live job. KEYS: snapshot, events, channel.
 * ARGV: id, index key prefix, new status, attempt (or -1 to accept any), terminal (1/0),
 * ttl seconds, the event without its leading `{`, then field/value pairs.
 * Returns the event's seq; 0 when the job has ended or a newer attempt owns it; -1 when unknown.
 */
export const APPEND_SCRIPT = `
local current = redis.call('HMGET', KEYS[1], 'status', 'attempt', 'createdMs')
local status = current[1]
if not status then return -1 end
if status == '"completed"' or status == '"failed"' or status == '"cancelled"' then return 0 end
local attempt = tonumber(ARGV[4])
if attempt >= 0 and attempt < tonumber(current[2]) then return 0 end
local seq = redis.call('HINCRBY', KEYS[1], 'lastSeq', 1)
local event = '{"seq":' .. seq .. ',' .. ARGV[7]
redis.call('RPUSH', KEYS[2], event)
local fields = {}
for i = 8, #ARGV do fields[#fields + 1] = ARGV[i] end
if #fields > 0 then redis.call('HSET', KEYS[1], unpack(fields)) end
local previous = string.sub(status, 2, -2)
if previous ~= ARGV[3] then
  redis.call('ZREM', ARGV[2] .. ':' .. previous, ARGV[1])
  redis.call('ZADD', ARGV[2] .. ':' .. ARGV[3], current[3], ARGV[1])
end
if ARGV[5] == '1' then
  redis.call('EXPIRE', KEYS[1], ARGV[6])
  redis.call('EXPIRE', KEYS[2], ARGV[6])
end
redis.call('PUBLISH', KEYS[3], event)
return seq
`;

/**
 * Appends several events of one job in one call: one check, one RPUSH, one HSET
 * of the merged snapshot fields, one index update, then one PUBLISH per event.
 * KEYS: snapshot, events, channel.
 * ARGV: id, index key prefix, attempt (or -1 to accept any), ttl seconds, the last
 * event's status, terminal (1/0), the event count N, N events without their leading
 * `{`, then the merged field/value pairs.
 * Returns the last event's seq; 0 when the job has ended or a newer attempt owns it; -1 when unknown.
 */
export const APPEND_MANY_SCRIPT = `
local current = redis.call('HMGET', KEYS[1], 'status', 'attempt', 'createdMs', 'lastSeq')
local status = current[1]
if not status then return -1 end
if status == '"completed"' or status == '"failed"' or status == '"cancelled"' then return 0 end
local attempt = tonumber(ARGV[3])
if attempt >= 0 and attempt < tonumber(current[2]) then return 0 end
local seq = tonumber(current[4])
local count = tonumber(ARGV[7])
local events = {}
for i = 1, count do
  seq = seq + 1
  events[i] = '{"seq":' .. seq .. ',' .. ARGV[7 + i]
end
redis.call('RPUSH', KEYS[2], unpack(events))
local fields = { 'lastSeq', seq }
for i = 8 + count, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
local previous = string.sub(status, 2, -2)
if previous ~= ARGV[5] then
  redis.call('ZREM', ARGV[2] .. ':' .. previous, ARGV[1])
  redis.call('ZADD', ARGV[2] .. ':' .. ARGV[5], current[3], ARGV[1])
end
if ARGV[6] == '1' then
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
for _, event in ipairs(events) do redis.call('PUBLISH', KEYS[3], event) end
return seq
`;
