-- Argo CD health check of the mmalign kinds (group mmalign.dev: PreferenceDataset, AlignmentRun, BenchmarkSuite,
-- AlignmentSweep).
-- Argo CD's contract: the resource comes in as `obj`; the script returns a table with `status` (Healthy, Progressing,
-- Degraded, Suspended) and `message`. One script serves the four kinds: all four report the same standard
-- conditions (dev.mmalign.api.common.ConditionTypes: Ready, Progressing, Failed, and Suspended for AlignmentRun),
-- each with observedGeneration, written together by the operator (dev.mmalign.operator.status.Conditions), so at most
-- one of Ready / Progressing / Failed / Suspended is True. Tested against sample statuses by
-- operator/src/test/java/dev/mmalign/operator/ArgoCdHealthCheckTest.java.
local hs = {}

local function find(conditions, type)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function isTrue(c)
  return c ~= nil and c.status == "True"
end

local function describe(c)
  if c == nil then
    return ""
  end
  local reason = c.reason or ""
  local message = c.message or ""
  if reason ~= "" and message ~= "" then
    return reason .. ": " .. message
  end
  return reason .. message
end

local status = obj.status
if status == nil or status.conditions == nil or #status.conditions == 0 then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report status"
  return hs
end

-- A status written for an older spec says nothing about the current one: wait until the operator has seen it
-- (status.observedGeneration and every condition's observedGeneration at metadata.generation).
local generation = obj.metadata and obj.metadata.generation
if generation ~= nil then
  local stale = status.observedGeneration == nil or status.observedGeneration < generation
  for _, c in ipairs(status.conditions) do
    if c.observedGeneration ~= nil and c.observedGeneration < generation then
      stale = true
    end
  end
  if stale then
    hs.status = "Progressing"
    hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
    return hs
  end
end

local ready = find(status.conditions, "Ready")
local progressing = find(status.conditions, "Progressing")
local failed = find(status.conditions, "Failed")
local suspended = find(status.conditions, "Suspended")
local phase = status.phase or ""

if isTrue(failed) or phase == "Failed" then
  hs.status = "Degraded"
  hs.message = describe(failed)
  if hs.message == "" then
    hs.message = "Failed"
  end
  return hs
end
if isTrue(suspended) or phase == "Suspended" then
  hs.status = "Suspended"
  hs.message = describe(suspended)
  return hs
end
if isTrue(ready) then
  hs.status = "Healthy"
  hs.message = describe(ready)
  return hs
end
if isTrue(progressing) then
  hs.status = "Progressing"
  hs.message = describe(progressing)
  return hs
end
-- Neither ready, progressing, failed nor suspended: blocked on something that failed (the dataset of a run, a model of
-- a suite, a base model). Nothing moves until that one is fixed, so it needs attention: Degraded.
if ready ~= nil and progressing ~= nil and failed ~= nil then
  hs.status = "Degraded"
  hs.message = "Blocked: " .. describe(progressing)
  return hs
end
hs.status = "Progressing"
hs.message = "Phase " .. phase
return hs
