# The figures of a metrics run's log line (reportd/engine/engine.c), read
# by the benches and checked against the line itself by demo.sh.
# runlog_forecast_s LOG: the learned forecast's seconds, or nothing.
runlog_forecast_s() {
	sed -n 's/.*(learned forecast \([0-9.]*\) s[,)].*/\1/p' "$1" | head -n 1
}
