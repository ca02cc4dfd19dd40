-- POSTs routes to the Admin API: a realistic mix of 90% prefix paths, 5% hosts (with a path),
-- 5% regex paths, numbered from START (environment) on. After COUNT answers it creates the file
-- DONE_FILE (if set) and stops its thread; wrk itself runs until its duration ends or it gets
-- SIGINT, which the caller sends when the file appears.
local counter = tonumber(os.getenv("START") or "0")
local last = counter + tonumber(os.getenv("COUNT") or "10000")
local answered = counter
local failed = 0

request = function()
  counter = counter + 1
  local i = counter
  local body
  if i % 20 == 0 then
    body = string.format('{"name":"h%d","hosts":["h%d.example.com"],"paths":["/h%d"]}', i, i, i)
  elseif i % 20 == 1 then
    body = string.format('{"name":"r%d","paths":["~/r%d/\\\\d+$"]}', i, i)
  else
    body = string.format('{"name":"p%d","paths":["/p%d/"]}', i, i)
  end
  return wrk.format("POST", "/services/bench/routes", {["Content-Type"] = "application/json"}, body)
end

response = function(status, headers, body)
  answered = answered + 1
  if status ~= 201 then
    failed = failed + 1
    if failed < 5 then
      io.stderr:write("status " .. status .. ": " .. body .. "\n")
    end
  end
  if answered == last then
    local done_file = os.getenv("DONE_FILE")
    if done_file then
      io.open(done_file, "w"):close()
    end
    wrk.thread:stop()
  end
end
