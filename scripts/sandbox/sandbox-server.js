// Sandbox base: the HTTP server every sandbox in scripts/sandbox/ extends (router, log, faults, clock, control routes).
// What every sandbox API shares: a tiny router, JSON bodies, a request log, fault injection and a clock.
// The sandboxes mirror the vendors' contracts, never our client: nothing here imports package code.
'use strict';
const { EventEmitter } = require('node:events');
const http = require('node:http');

/** Requests under this prefix drive the sandbox itself: never logged, never faulted, never authenticated. */
const CONTROL_PREFIX = '/__sandbox';
const FAULT_KINDS = new Set(['status', 'drop', 'dropAfterProcess', 'delay', 'raw', 'echo']);

class SandboxClock {
	constructor() {
		this.offsetMs = 0;
	}
	now() {
		return Date.now() + this.offsetMs;
	}
	advance(ms) {
		this.offsetMs += ms;
	}
}

/**
 * Faults are queued per route pattern (a RegExp or string prefix on "METHOD /path") and consumed one per
 * matching request. Kinds:
 *  - status:            answer { status, body, headers } without touching state (e.g. a 503 burst, a 429)
 *  - drop:              destroy the socket before anything is processed (client sees ECONNRESET)
 *  - dropAfterProcess:  process the request, then destroy the socket instead of answering (answer lost)
 *  - delay:             hold the answer for `ms` (slow server), then answer normally
 *  - raw:               answer with a raw body/content-type (HTML error page, invalid JSON, empty body)
 *  - echo:              a proxy that echoes the request: answer `status` (default 400) with its method, url,
 *                       headers (credentials included) and body as JSON, without touching state
 */
class FaultInjector {
	constructor() {
		this.queue = [];
	}
	add(fault) {
		const times = fault.times ?? 1;
		for (let i = 0; i < times; i++) this.queue.push({ ...fault });
	}
	clear() {
		this.queue = [];
	}
	take(method, path) {
		const key = `${method} ${path}`;
		const index = this.queue.findIndex((f) => matches(f.route, key));
		if (index === -1) return undefined;
		return this.queue.splice(index, 1)[0];
	}
	pending() {
		return this.queue.length;
	}
	/** The queued faults as JSON, one per request they will answer (a RegExp route shows as its source). */
	list() {
		return this.queue.map(({ times, ...f }) => (f.route instanceof RegExp ? { ...f, route: String(f.route) } : f));
	}
}

/** Checks a fault given over HTTP (see FaultInjector); returns what is wrong with it, or undefined. */
function faultProblem(fault) {
	if (fault === null || typeof fault !== 'object' || Array.isArray(fault)) return 'a fault must be a JSON object';
	if (!FAULT_KINDS.has(fault.kind)) return `"kind" must be one of ${[...FAULT_KINDS].join(', ')}`;
	if (fault.route !== undefined && typeof fault.route !== 'string') return '"route" must be a string, a prefix of "METHOD /path" such as "PUT /users"';
	if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times >= 1 && fault.times <= 10000)) return '"times" must be an integer from 1 to 10000';
	if (fault.kind === 'status' && !(Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 599)) return 'a "status" fault needs "status", an HTTP status code';
	if (fault.kind === 'delay' && !(typeof fault.ms === 'number' && fault.ms >= 0)) return 'a "delay" fault needs "ms", a number of milliseconds';
	if (fault.kind === 'echo' && fault.status !== undefined && !(Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 599)) return 'an "echo" fault\'s "status" must be an HTTP status code (default 400)';
	if (fault.headers !== undefined && (fault.headers === null || typeof fault.headers !== 'object' || Array.isArray(fault.headers))) return '"headers" must be an object';
	return undefined;
}

function matches(route, key) {
	if (!route) return true;
	if (route instanceof RegExp) return route.test(key);
	return key.startsWith(route);
}

/**
 * Routes: [method, RegExp with named groups, handler(req) -> {status, body, headers}].
 * Emits 'request' with each log entry once it is answered (entry.status is unset when the socket was dropped).
 * Control routes (under /__sandbox) let a test or a person drive a running sandbox over HTTP:
 *   GET    /__sandbox/state                 what the sandbox holds (subclasses override state())
 *   GET    /__sandbox/requests[?route=...]  the request log, optionally only "METHOD /path" starting with route
 *   POST   /__sandbox/reset                 forget everything: state, log, faults, clock
 *   GET    /__sandbox/faults                the faults still queued
 *   POST   /__sandbox/faults                queue a fault or an array of faults: {route, kind, status, body, headers, ms, times}
 *                                           (kind: status, drop, dropAfterProcess, delay, raw, or echo — a proxy that
 *                                           answers `status`, default 400, with the request's method, url, headers and body)
 *   DELETE /__sandbox/faults                drop all queued faults
 *   POST   /__sandbox/clock                 {advanceMs}: move the sandbox clock forward (e.g. to expire ids)
 * Subclasses add their own with controlRoute().
 */
class SandboxServer extends EventEmitter {
	constructor(name) {
		super();
		this.name = name;
		this.routes = [];
		this.controlRoutes = [];
		this.log = [];
		this.faults = new FaultInjector();
		this.clock = new SandboxClock();
		this.server = undefined;
		this.url = undefined;
		this.sockets = new Set();
		this.defineControlRoutes();
	}

	route(method, pattern, handler) {
		this.routes.push({ method, pattern, handler });
	}

	/** A control route; `path` is matched exactly, after /__sandbox (e.g. '/state'). */
	controlRoute(method, path, handler) {
		this.controlRoutes.push({ method, pattern: new RegExp(`^${CONTROL_PREFIX}${path}/?$`), handler });
	}

	/** Back to a fresh sandbox. Subclasses clear their own state too and call this. */
	reset() {
		this.faults.clear();
		this.clearLog();
		this.clock.offsetMs = 0;
	}

	/** What the sandbox holds, for GET /__sandbox/state. */
	state() {
		return {};
	}

	defineControlRoutes() {
		const ok = (body) => ({ status: 200, body });
		const badRequest = (message) => ({ status: 400, body: { message } });
		const jsonBody = (req, use) => {
			const parsed = parseJson(req.rawBody || '{}');
			return parsed.ok ? use(parsed.value) : badRequest(`invalid JSON: ${parsed.error.message}`);
		};
		this.controlRoute('GET', '/state', () => ok(this.state()));
		this.controlRoute('GET', '/requests', (req) => ok(this.requests(req.query.route)));
		this.controlRoute('POST', '/reset', () => {
			this.reset();
			return ok({ reset: true });
		});
		this.controlRoute('GET', '/faults', () => ok(this.faults.list()));
		this.controlRoute('DELETE', '/faults', () => {
			this.faults.clear();
			return ok({ pending: 0 });
		});
		this.controlRoute('POST', '/faults', (req) =>
			jsonBody(req, (value) => {
				const faults = Array.isArray(value) ? value : [value];
				for (const [i, fault] of faults.entries()) {
					const problem = faultProblem(fault);
					if (problem) return badRequest(faults.length > 1 ? `fault ${i}: ${problem}` : problem);
				}
				for (const fault of faults) this.faults.add(fault);
				return ok({ pending: this.faults.pending() });
			}),
		);
		this.controlRoute('POST', '/clock', (req) =>
			jsonBody(req, ({ advanceMs } = {}) => {
				if (typeof advanceMs !== 'number' || !Number.isFinite(advanceMs)) return badRequest('give {"advanceMs": <milliseconds>}');
				this.clock.advance(advanceMs);
				return ok({ now: new Date(this.clock.now()).toISOString(), offsetMs: this.clock.offsetMs });
			}),
		);
	}

	async listen(port = 0, host = '127.0.0.1') {
		this.server = http.createServer((req, res) => this.dispatch(req, res));
		this.server.keepAliveTimeout = 5000;
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise((resolve, reject) => {
			this.server.once('error', reject); // e.g. EADDRINUSE: reject instead of crashing the process
			this.server.listen(port, host, () => {
				this.server.off('error', reject);
				resolve();
			});
		});
		this.url = `http://${host}:${this.server.address().port}`;
		return this.url;
	}

	async close() {
		if (!this.server) return;
		for (const socket of this.sockets) socket.destroy();
		await new Promise((resolve) => this.server.close(() => resolve()));
		this.server = undefined;
	}

	requests(filter) {
		if (!filter) return this.log;
		return this.log.filter((r) => matches(filter, `${r.method} ${r.path}`));
	}

	clearLog() {
		this.log = [];
	}

	async dispatch(req, res) {
		const chunks = [];
		for await (const chunk of req) chunks.push(chunk);
		const rawBody = Buffer.concat(chunks);
		const url = new URL(req.url, 'http://sandbox');
		const entry = {
			method: req.method,
			path: url.pathname,
			rawPath: req.url.split('?')[0],
			query: Object.fromEntries(url.searchParams),
			headers: req.headers,
			rawBody: rawBody.toString('utf8'),
			bodyBytes: rawBody.length,
			at: this.clock.now(),
		};
		if (url.pathname.startsWith(CONTROL_PREFIX)) return this.answer(res, () => this.handle(req.method, url, entry, this.controlRoutes));

		this.log.push(entry);
		const fault = this.faults.take(req.method, url.pathname);
		try {
			if (fault?.kind === 'drop') return req.socket.destroy();
			if (fault?.kind === 'status') {
				entry.status = fault.status;
				return send(res, { status: fault.status, body: fault.body ?? { message: `injected ${fault.status}` }, headers: fault.headers });
			}
			if (fault?.kind === 'echo') {
				// What a misconfigured proxy does: the request back, its credential headers and all.
				entry.status = fault.status ?? 400;
				const parsed = parseJson(entry.rawBody);
				const echoed = { method: req.method, url: req.url, headers: req.headers, body: parsed.ok ? parsed.value : entry.rawBody };
				return send(res, { status: entry.status, body: echoed, headers: fault.headers });
			}
			if (fault?.kind === 'raw') {
				entry.status = fault.status ?? 200;
				res.writeHead(entry.status, { 'content-type': fault.contentType ?? 'text/html' });
				return res.end(fault.body ?? '');
			}
			if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));

			const answer = await this.handle(req.method, url, entry);
			if (fault?.kind === 'dropAfterProcess') return req.socket.destroy();
			entry.status = answer.status;
			send(res, answer);
		} catch (error) {
			entry.status = 500;
			send(res, { status: 500, body: { message: `sandbox error: ${error.message}` } });
		} finally {
			this.emit('request', entry);
		}
	}

	async answer(res, produce) {
		try {
			send(res, await produce());
		} catch (error) {
			send(res, { status: 500, body: { message: `sandbox error: ${error.message}` } });
		}
	}

	async handle(method, url, entry, routes = this.routes) {
		for (const route of routes) {
			if (route.method !== method) continue;
			const m = route.pattern.exec(entry.rawPath);
			if (!m) continue;
			const params = {};
			for (const [k, v] of Object.entries(m.groups ?? {})) params[k] = v === undefined ? undefined : decodeURIComponent(v);
			return route.handler({ params, query: entry.query, headers: entry.headers, rawBody: entry.rawBody, url });
		}
		return { status: 404, body: { message: `no route for ${method} ${url.pathname}` } };
	}
}

/**
 * The header on answers where the sandbox refuses what the vendor's documents do not forbid (a rule of its own,
 * kept to catch a client's mistakes): it says which rule. docs/sandbox.md lists them ("Clients run against the sandboxes, and where they are stricter on purpose").
 */
const STRICTER_HEADER = 'x-sandbox-stricter';

/** `answer` with the rules (short ASCII sentences) that made it stricter than the vendor's documents. */
function stricter(answer, rules) {
	const list = (Array.isArray(rules) ? rules : [rules]).filter(Boolean);
	if (list.length === 0) return answer;
	return { ...answer, headers: { ...(answer.headers ?? {}), [STRICTER_HEADER]: list.join('; ') } };
}

function send(res, { status, body, headers }) {
	const payload = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json;charset=UTF-8',
		'content-length': Buffer.byteLength(payload),
		...(headers ?? {}),
	});
	res.end(payload);
}

function parseJson(rawBody) {
	try {
		return { ok: true, value: JSON.parse(rawBody) };
	} catch (error) {
		return { ok: false, error };
	}
}

module.exports = { SandboxServer, SandboxClock, FaultInjector, parseJson, stricter, STRICTER_HEADER };
