-- load.lua - the request mix of bench/load.sh for wrk: lookups, search, validate, normalize and
-- SPARQL, all valid requests. Counts statuses per thread and prints them at the end
-- ("status 200: N" ... and "5xx: N"), so load.sh can check that no valid request failed.
-- Concept ids come from the file named by IMT_LOAD_IDS (one per line), read in init().

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local ids = {}
local terms = {"结节", "磨玻璃", "nodule", "ground glass", "肺", "effusion", "钙化", "mass", "肝", "thyroid"}
local texts = {
  "右肺上叶见磨玻璃结节，未见胸腔积液。",
  "No pleural effusion. A 12 mm nodule in the right upper lobe.",
  "甲状腺左叶低回声结节，边界清，考虑良性可能。",
  "肝脏形态大小正常，未见占位。",
}
local sparql = {
  "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?c ?l WHERE { ?c skos:prefLabel ?l } LIMIT 5",
  "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> ASK { ?c skos:broader ?p }",
}
counts = {}  -- global: done() reads it from every thread with thread:get
local reqs = {}

function init(args)
  local f = io.open(os.getenv("IMT_LOAD_IDS") or "ids.txt", "r")
  if f then
    for line in f:lines() do if #line > 0 then table.insert(ids, line) end end
    f:close()
  end
  if #ids == 0 then ids = {"IMT0001001"} end
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
  -- prebuilt requests: 40% lookups, 25% search, 15% validate, 12% normalize, 8% SPARQL
  for i = 1, 40 do
    local id = ids[math.random(#ids)]
    local kinds = {"", "/children", "/parents", "/ancestors"}
    table.insert(reqs, wrk.format("GET", "/api/concepts/" .. id .. kinds[math.random(#kinds)]))
  end
  for i = 1, 25 do
    table.insert(reqs, wrk.format("GET", "/api/search?q=" .. urlencode(terms[math.random(#terms)]) .. "&limit=10"))
  end
  for i = 1, 15 do
    table.insert(reqs, wrk.format("GET", "/api/validate?term=" .. urlencode(terms[math.random(#terms)])))
  end
  for i = 1, 12 do
    local body = '{"text":"' .. texts[math.random(#texts)] .. '"}'
    table.insert(reqs, wrk.format("POST", "/api/normalize", {["Content-Type"] = "application/json"}, body))
  end
  for i = 1, 8 do
    table.insert(reqs, wrk.format("GET", "/sparql?query=" .. urlencode(sparql[math.random(#sparql)]),
                                  {["Accept"] = "application/sparql-results+json"}))
  end
end

function request()
  return reqs[math.random(#reqs)]
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
  end
  local five = 0
  local keys = {}
  for k in pairs(total) do table.insert(keys, k) end
  table.sort(keys)
  for _, k in ipairs(keys) do
    io.write(string.format("status %d: %d\n", k, total[k]))
    if k >= 500 then five = five + total[k] end
  end
  io.write(string.format("5xx: %d\n", five))
  io.write(string.format("p50_ms: %.3f\np99_ms: %.3f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  io.write(string.format("socket_errors: %d\n", summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("non2xx_3xx: %d\n", summary.errors.status))
end
