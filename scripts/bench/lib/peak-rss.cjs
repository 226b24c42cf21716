'use strict';
// Preloaded into the real n8n process (NODE_OPTIONS=--require): when the process exits it writes its peak
// RSS (getrusage maxrss) to $BENCH_PEAK_DIR/<pid>.json, so the benchmark can report the memory of the
// process that ran the HTTP Request node without polling it.
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.BENCH_PEAK_DIR;
if (dir) {
	process.on('exit', () => {
		try {
			const record = { pid: process.pid, ppid: process.ppid, argv: process.argv.slice(1, 3), maxRssKb: process.resourceUsage().maxRSS };
			fs.writeFileSync(path.join(dir, `${process.pid}.json`), JSON.stringify(record));
		} catch {
			// never disturb the process being measured
		}
	});
}
