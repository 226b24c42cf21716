'use strict';
// One sandbox in its own process, so that its work never shares an event loop (or a core) with the client
// being measured. Started by lib/n8n.mjs (benchSandbox) with an IPC channel:
//   argv[2] = JSON {kind: 'activatepro'|'emailapi', options}
//   -> sends {type: 'ready', url, pid}
//   <- {id, cmd: 'counts'|'reset'|'resetCounts'|'setRateLimit'|'users'|'close', args}  -> {id, ok, result|error}
// The sandboxes are the ones the tests use (test/sandbox/); nothing of the package is loaded here.
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const { kind, options = {} } = JSON.parse(process.argv[2] ?? '{}');

function createActivatePro() {
	const { ActivateProSandbox } = require(path.join(ROOT, 'test/sandbox/activatepro.js'));
	/**
	 * The test sandbox finds a user by email with a scan over every user (findByEmail), once per applied
	 * entry: O(N²) over a bulk run, minutes at 100,000 users, which would measure the sandbox and not the
	 * client. Same answers here with an index: lower-cased email -> ids, kept in step with apply().
	 */
	class IndexedActivateProSandbox extends ActivateProSandbox {
		constructor(opts) {
			super(opts);
			this.byEmail = new Map();
		}
		reset() {
			super.reset();
			this.byEmail?.clear();
		}
		findByEmail(email, bu) {
			const ids = this.byEmail.get(String(email).toLowerCase());
			if (!ids) return undefined;
			for (const id of ids) {
				const user = this.users.get(id);
				if (!user) continue;
				if (bu !== undefined && bu !== '' && String(user.businessUnit ?? '').toLowerCase() !== String(bu).toLowerCase()) continue;
				return user;
			}
			return undefined;
		}
		apply(action, entry) {
			const before = this.users.get(entry.id);
			const oldEmail = before ? String(before.email).toLowerCase() : undefined;
			const result = super.apply(action, entry);
			const after = this.users.get(entry.id);
			const newEmail = after ? String(after.email).toLowerCase() : undefined;
			if (oldEmail !== undefined && oldEmail !== newEmail) this.byEmail.get(oldEmail)?.delete(entry.id);
			if (newEmail !== undefined) {
				let ids = this.byEmail.get(newEmail);
				if (!ids) this.byEmail.set(newEmail, (ids = new Set()));
				ids.add(entry.id);
			}
			return result;
		}
	}
	return new IndexedActivateProSandbox(options);
}

function createEmailApi() {
	const { EmailApiSandbox } = require(path.join(ROOT, 'test/sandbox/emailapi.js'));
	return new EmailApiSandbox(options);
}

const sandbox = kind === 'activatepro' ? createActivatePro() : kind === 'emailapi' ? createEmailApi() : undefined;
if (!sandbox) {
	console.error(`sandbox-child: unknown kind ${kind}`);
	process.exit(2);
}

// Counts per request kind and status; the sandbox's own log (bodies, headers) is dropped as it goes, so a
// 100,000-request run does not grow this process without bound.
let counts;
/** The first 2,000 requests as [route, arrived, answered] (epoch ms): when the client sent what. */
let timeline;
function resetCounts() {
	counts = { total: 0, byRoute: {}, byStatus: {}, bodyBytes: 0, firstAt: undefined, lastAt: undefined };
	timeline = [];
}
resetCounts();
function routeKey(entry) {
	const p = entry.path;
	if (p.startsWith('/users/track/')) return `${entry.method} /users/track/:id`;
	if (/^\/users\/batch\/?$/.test(p)) return `${entry.method} /users/batch`;
	if (/^\/users\/?$/.test(p)) return `${entry.method} /users`;
	if (p.startsWith('/users/search')) return `${entry.method} /users/search`;
	if (p.startsWith('/users/')) return `${entry.method} /users/:id`;
	return `${entry.method} ${p}`;
}
sandbox.on('request', (entry) => {
	counts.total++;
	const key = routeKey(entry);
	counts.byRoute[key] = (counts.byRoute[key] ?? 0) + 1;
	const status = String(entry.status ?? 'dropped');
	counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1;
	counts.bodyBytes += entry.bodyBytes ?? 0;
	counts.firstAt ??= entry.at;
	counts.lastAt = entry.at;
	if (timeline.length < 2000) timeline.push([key, entry.at, Date.now(), entry.status]);
	if (sandbox.log.length > 256) sandbox.log.length = 0;
});

const commands = {
	counts: () => ({ ...counts, rateLimited: sandbox.stats?.rateLimited, users: sandbox.users.size }),
	reset: () => {
		sandbox.reset();
		resetCounts();
		return true;
	},
	/** Forgets the requests counted so far, keeps the data (after a worker's warm-up run). */
	resetCounts: () => {
		resetCounts();
		return true;
	},
	setRateLimit: (limits) => {
		sandbox.setRateLimit(limits);
		return sandbox.limiter.config;
	},
	/** Checks that the users with these ids are held with the given email (the run did what it claims). */
	verify: ({ expected }) => {
		let missing = 0;
		for (const [id, email] of expected) {
			const held = sandbox.users.get(id);
			if (!held || String(held.email).toLowerCase() !== String(email).toLowerCase()) missing++;
		}
		return { users: sandbox.users.size, missing };
	},
	usersCount: () => sandbox.users.size,
	timeline: () => timeline,
	memory: () => process.memoryUsage(),
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
