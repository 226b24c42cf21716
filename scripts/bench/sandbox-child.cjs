// Benchmark: one sandbox (scripts/sandbox/) in its own process, counting requests; forked by lib/bench-harness.mjs.
// One sandbox in its own process, so that its work never shares an event loop (or a core) with the client
// being measured. Started by lib/bench-harness.mjs (benchSandbox) with an IPC channel:
//   argv[2] = JSON {kind: 'activatepro'|'emailapi', options}
//   -> sends {type: 'ready', url, pid, info}
//   <- {id, cmd: 'counts'|'reset'|'resetCounts'|'setRateLimit'|'close', args}  -> {id, ok, result|error}
// The sandboxes are the ones the tests use (scripts/sandbox/; ActivatePro's indexes users by email, so a bulk run
// of 100,000 stays linear); nothing of the package is loaded here.
'use strict';
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const { kind, options = {} } = JSON.parse(process.argv[2] ?? '{}');
const SANDBOXES = {
	activatepro: () => new (require(path.join(ROOT, 'scripts/sandbox/activatepro-sandbox.js')).ActivateProSandbox)(options),
	emailapi: () => new (require(path.join(ROOT, 'scripts/sandbox/emailapi-sandbox.js')).EmailApiSandbox)(options),
};
if (!SANDBOXES[kind]) {
	console.error(`sandbox-child: unknown kind ${kind}`);
	process.exit(2);
}
const sandbox = SANDBOXES[kind]();

// Counts per request kind and status; the sandbox's own log (bodies, headers) is dropped as it goes, so a
// 100,000-request run does not grow this process without bound.
let counts;
function resetCounts() {
	counts = { total: 0, byRoute: {}, byStatus: {}, bodyBytes: 0 };
	return true;
}
resetCounts();
function routeKey({ method, path: p }) {
	if (p.startsWith('/users/track/')) return `${method} /users/track/:id`;
	if (/^\/users\/batch\/?$/.test(p)) return `${method} /users/batch`;
	if (/^\/users\/?$/.test(p)) return `${method} /users`;
	if (p.startsWith('/users/search')) return `${method} /users/search`;
	if (p.startsWith('/users/')) return `${method} /users/:id`;
	return `${method} ${p}`;
}
const bump = (counter, key) => (counter[key] = (counter[key] ?? 0) + 1);
sandbox.on('request', (entry) => {
	counts.total++;
	bump(counts.byRoute, routeKey(entry));
	bump(counts.byStatus, String(entry.status ?? 'dropped'));
	counts.bodyBytes += entry.bodyBytes ?? 0;
	if (sandbox.log.length > 256) sandbox.log.length = 0;
});

const commands = {
	counts: () => ({ ...counts, rateLimited: sandbox.stats?.rateLimited, users: sandbox.users.size }),
	reset: () => {
		sandbox.reset();
		return resetCounts();
	},
	/** Forgets the requests counted so far, keeps the data (after a worker's warm-up run). */
	resetCounts,
	setRateLimit: (limits) => {
		sandbox.setRateLimit(limits);
		return sandbox.limiter.config;
	},
	close: async () => {
		await sandbox.close();
		setImmediate(() => process.exit(0));
		return true;
	},
};

process.on('message', async (message) => {
	const { id, cmd, args } = message ?? {};
	try {
		if (!commands[cmd]) throw new Error(`unknown command ${cmd}`);
		process.send({ id, ok: true, result: await commands[cmd](args) });
	} catch (error) {
		process.send({ id, ok: false, error: String(error?.stack ?? error) });
	}
});
process.on('disconnect', () => process.exit(0)); // the parent went away

sandbox.listen(0, '127.0.0.1').then(
	(url) => process.send({ type: 'ready', url, pid: process.pid, info: { locationId: sandbox.locationId, companyId: sandbox.companyId } }),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
