/**
 * Lua run atomically by Redis, so that numbering, storing and announcing an
 * event can never interleave with another writer's. Snapshot fields hold JSON
 * values; the scripts only move them, never decode them. A job's events sit in
 * its hash too, event \`seq\` N in field \`#N\`, so that one HSET stores the events
 * and the snapshot and one EXPIRE ends the job. Every key a script
 * touches comes in KEYS (Redis needs it to route and to replicate correctly),
 * and every script's keys share one hash tag, so that each runs in one Redis
 * Cluster slot: the job scripts touch the job's keys only,
 *
 *   KEYS[1] the job's hash (snapshot and events), KEYS[2] its channel,
 *
 * and the index scripts a tenant's only,
 *
 *   KEYS[1] the tenant's index, KEYS[2..6] its status indexes (queued, running,
 *   completed, failed, cancelled), KEYS[7] the tenant's expiries.
 *
 * `publish` is PUBLISH on one Redis, SPUBLISH on a cluster (the message then
 * crosses only the job's shard).
 */
export const JOB_KEY_COUNT = 2;
export const INDEX_KEY_COUNT = 7;

export type PublishCommand = 'PUBLISH' | 'SPUBLISH';

/**
 * Index entries whose job has expired, removed by one trimming write at most. A write adds
 * one at most, and at least one write in TRIM_BATCH trims, so the entries stay bounded.
 */
const TRIM_BATCH = 100;

/**
 * Shared head of the index scripts: the tenant's keys are KEYS[base + 1 .. base + 7] (base 0
 * in the index scripts, 3 in the append script that also files the job).
 */
function indexPrelude(base: number): string {
  const key = (i: number): string => `KEYS[${base + i}]`;
  return `
local STATUS_INDEX = { queued = ${key(2)}, running = ${key(3)}, completed = ${key(4)}, failed = ${key(5)}, cancelled = ${key(6)} }
local EXPIRIES = ${key(7)}
-- Forgets, in every index of the tenant, the ended jobs whose keys have expired by now.
local function trim()
  local clock = redis.call('TIME')
  local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
  local gone = redis.call('ZRANGEBYSCORE', EXPIRIES, '-inf', now, 'LIMIT', 0, ${TRIM_BATCH})
  if #gone == 0 then return 0 end
  for i = ${base + 1}, ${base + 7} do redis.call('ZREM', KEYS[i], unpack(gone)) end
  return #gone
end
-- Files a job under \`status\`, moving it from \`from\` (a status, or anything else when unknown:
-- then it is taken out of every other index and put in the tenant's list).
local function file(id, createdMs, status, expiresAt, from, trimNow)
  local filed = STATUS_INDEX[from]
  if filed then
    redis.call('ZREM', filed, id)
  else
    for i = ${base + 2}, ${base + 7} do redis.call('ZREM', KEYS[i], id) end
    redis.call('ZADD', ${key(1)}, createdMs, id)
  end
  redis.call('ZADD', STATUS_INDEX[status], createdMs, id)
  if expiresAt ~= '' then redis.call('ZADD', EXPIRIES, expiresAt, id) end
  if trimNow == '1' then trim() end
end
`;
}
const INDEX_PRELUDE = indexPrelude(0);

/**
 * Creates a job unless its id exists.
 * ARGV: id, created-at (ms), the \`queued\` event without its leading \`{\`, writer, write
 * number, then field/value pairs (tenant and token included).
 * Returns 1 when created (also when this very write is sent again after a lost reply), 0 when
 * the id was taken.
 */
export function createScript(publish: PublishCommand): string {
  return `
if redis.call('EXISTS', KEYS[1]) == 1 then
  local mark = redis.call('HMGET', KEYS[1], 'writer', 'writeNumber')
  if mark[1] == ARGV[4] and mark[2] == ARGV[5] then return 1 end
  return 0
end
local fields = {}
for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
local event = '{"seq":1,' .. ARGV[3]
redis.call('HSET', KEYS[1], 'lastSeq', 1, 'createdMs', ARGV[2], 'writer', ARGV[4], 'writeNumber', ARGV[5], '#1', event, unpack(fields))
redis.call('${publish}', KEYS[2], event)
return 1
`;
}

/**
 * Appends events of one job in one call: one read, one HSET of the events and the
 * merged snapshot fields, then one publish: the event, or the events as a JSON array.
 * ARGV: id, attempt (or -1 to accept any), ttl seconds, the last event's status, terminal
 * (1/0), writer, write number, the last seq this writer wrote to the job (-1 when none), the
 * event count N, N events without their leading \`{\`, then the merged field/value pairs.
 * A last seq beyond the job's means a failover dropped events that were already announced:
 * the job's epoch goes up, and every event from then on carries it (\`"epoch":E\`), so that a
 * client holding an older event under a reused seq is told.
 * The writer (one per process) numbers its writes: a write the client sends again after a
 * lost reply (ioredis resends unanswered commands on reconnect) is applied once.
 * Returns { seq, createdMs, tenant, from } with seq the last event's (the job's last seq for a
 * repeated write) and from the status the tenant's indexes file the job under when they need
 * the new one ('' when they need nothing, '*' when unknown: a repeated write); { 0 } when the
 * job has ended or a newer attempt owns it; { -1 } when unknown. The tenant comes back so
 * that the writer needs no read of its own before it can file the job.
 *
 * With \`files\` (one Redis only: a cluster keeps a job's and a tenant's keys in different
 * slots), the script also files the job in its tenant's indexes, saving the index script's
 * round trip: KEYS[3..9] are the tenant's index keys (as the index scripts' KEYS[1..7]), and
 * ARGV gains, before the event count, the tenant those keys are of, when the job's keys
 * expire ('' while it runs) and trim ('1' to trim). A job of another tenant than the keys'
 * is not filed: \`from\` tells the writer to file it itself.
 */
export function appendScript(publish: PublishCommand, files = false): string {
  // Where the event count is in ARGV: the filing arguments come before it.
  const count = files ? 12 : 9;
  const filing = files
    ? `
if from ~= '' and current[3] and current[5] == ARGV[9] then
  file(ARGV[1], current[3], ARGV[4], ARGV[10], from, ARGV[11])
  from = ''
end`
    : '';
  return `${files ? indexPrelude(JOB_KEY_COUNT) : ''}
local current = redis.call('HMGET', KEYS[1], 'status', 'attempt', 'createdMs', 'lastSeq', 'tenant', 'writer', 'writeNumber', 'epoch')
local status = current[1]
if not status then return { -1 } end
if current[6] == ARGV[6] and tonumber(current[7]) >= tonumber(ARGV[7]) then return { tonumber(current[4]), current[3], current[5], '*' } end
if status == '"completed"' or status == '"failed"' or status == '"cancelled"' then return { 0 } end
local attempt = tonumber(ARGV[2])
if attempt >= 0 and attempt < tonumber(current[2]) then return { 0 } end
local seq = tonumber(current[4])
local epoch = tonumber(current[8] or '0')
if tonumber(ARGV[8]) > seq then
  epoch = epoch + 1
end
local head = '{"seq":'
if epoch > 0 then head = '{"epoch":' .. epoch .. ',"seq":' end
local count = tonumber(ARGV[${count}])
local events = {}
local fields = {}
for i = 1, count do
  seq = seq + 1
  events[i] = head .. seq .. ',' .. ARGV[${count} + i]
  fields[#fields + 1] = '#' .. seq
  fields[#fields + 1] = events[i]
end
fields[#fields + 1] = 'lastSeq'
fields[#fields + 1] = seq
fields[#fields + 1] = 'writer'
fields[#fields + 1] = ARGV[6]
fields[#fields + 1] = 'writeNumber'
fields[#fields + 1] = ARGV[7]
if epoch > 0 then
  fields[#fields + 1] = 'epoch'
  fields[#fields + 1] = epoch
end
for i = ${count + 1} + count, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
if ARGV[5] == '1' then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
if count == 1 then
  redis.call('${publish}', KEYS[2], events[1])
else
  redis.call('${publish}', KEYS[2], '[' .. table.concat(events, ',') .. ']')
end
local from = ''
local previous = string.sub(status, 2, -2)
if previous ~= ARGV[4] then from = previous end${filing}
return { seq, current[3], current[5], from }
`;
}

/**
 * A job's events with \`seq\` above ARGV[1], in order (none when the job is unknown). Fields
 * are read a thousand at a time: Lua's unpack takes a bounded number of values.
 */
export const EVENTS_SCRIPT = `
local last = tonumber(redis.call('HGET', KEYS[1], 'lastSeq') or '0')
local found = {}
local from = tonumber(ARGV[1]) + 1
while from <= last do
  local to = math.min(last, from + 999)
  local fields = {}
  for seq = from, to do fields[#fields + 1] = '#' .. seq end
  local values = redis.call('HMGET', KEYS[1], unpack(fields))
  for i = 1, #values do
    if values[i] then found[#found + 1] = values[i] end
  end
  from = to + 1
end
return found
`;

/**
 * Removes a job that never reached the queue.
 * ARGV: id, tenant. Returns 1 when removed, 0 when there is no such job of that tenant.
 */
export const DISCARD_SCRIPT = `
if redis.call('HGET', KEYS[1], 'tenant') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

/**
 * Files a job under one status in its tenant's indexes (idempotent, so that a
 * write sent again or replayed by the reconciliation does no harm).
 * ARGV: id, created-at (ms), status, when the job's keys expire (ms since the epoch, by the
 * writer's clock, as the job's \`finishedAt\` is; '' while it runs), the status it is filed
 * under ('' when unknown: it is taken out of every other one), trim ('1' to trim).
 * A job's change of status moves it between two indexes and nothing else.
 */
export const INDEX_SCRIPT = `${INDEX_PRELUDE}
file(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
return 1
`;

/** Removes a job from every index of its tenant. ARGV: id. */
export const UNINDEX_SCRIPT = `
for i = 1, 7 do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
`;

/**
 * Trims one tenant's indexes: the reconciliation's sweep, for tenants that stopped writing.
 * Returns how many ids went.
 */
export const TRIM_SCRIPT = `${INDEX_PRELUDE}
return trim()
`;
