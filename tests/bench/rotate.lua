-- wrk script of the panel benchmarks: the requests of a list file, one
-- per line "AUTHORIZATION PATH", sent in turn.
local reqs, i = {}, 0
function init(args)
	for line in io.lines(args[1]) do
		local auth, path = line:match("^(.-) (%S+)$")
		reqs[#reqs + 1] = wrk.format("GET", path, { Authorization = auth })
	end
end
function request()
	i = i % #reqs + 1
	return reqs[i]
end
