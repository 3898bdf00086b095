-- Replays the presigned requests of the file named by $POOL ("path<TAB>body" lines), round robin.
-- Each thread starts at a different offset so concurrent connections ask for different channels.

local counter = 0
local threads = {}

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local requests = {}
local index = 1

function init(args)
   local headers = { ["Content-Type"] = "application/json" }
   for line in io.lines(os.getenv("POOL")) do
      local path, body = line:match("^([^\t]+)\t(.*)$")
      if path then
         table.insert(requests, wrk.format("POST", path, headers, body))
      end
   end
   if #requests == 0 then
      error("no requests in " .. tostring(os.getenv("POOL")))
   end
   index = ((id or 0) * 997) % #requests + 1
end

function request()
   local r = requests[index]
   index = index % #requests + 1
   return r
end

-- One machine-readable line: requests/s, p50 us, p99 us, non-2xx/3xx answers, socket errors.
function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("RESULT %.1f %d %d %d %d\n",
      summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(99),
      e.status, e.connect + e.read + e.write + e.timeout))
end
