-- paths.lua - wrk script: each request takes a random line of the file named by PATHS.
local paths = {}
local f = assert(io.open(os.getenv("PATHS"), "r"))
for line in f:lines() do paths[#paths + 1] = line end
f:close()
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
