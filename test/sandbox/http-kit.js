'use strict';
// What every sandbox API shares: a tiny router, JSON bodies, a request log, fault injection and a clock.
// The sandboxes mirror the vendors' contracts, never our client: nothing here imports package code.
const http = require('node:http');

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
}

function matches(route, key) {
	if (!route) return true;
	if (route instanceof RegExp) return route.test(key);
	return key.startsWith(route);
}

/** Routes: [method, RegExp with named groups, handler(req) -> {status, body, headers}] */
class SandboxServer {
	constructor(name) {
		this.name = name;
		this.routes = [];
		this.log = [];
		this.faults = new FaultInjector();
		this.clock = new SandboxClock();
		this.server = undefined;
		this.url = undefined;
		this.sockets = new Set();
	}

	route(method, pattern, handler) {
		this.routes.push({ method, pattern, handler });
	}

	async listen(port = 0, host = '127.0.0.1') {
		this.server = http.createServer((req, res) => this.dispatch(req, res));
		this.server.keepAliveTimeout = 5000;
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise((resolve) => this.server.listen(port, host, resolve));
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
		if (!url.pathname.startsWith('/__sandbox')) this.log.push(entry);

		const fault = url.pathname.startsWith('/__sandbox') ? undefined : this.faults.take(req.method, url.pathname);
		try {
			if (fault?.kind === 'drop') return req.socket.destroy();
			if (fault?.kind === 'status') {
				return send(res, { status: fault.status, body: fault.body ?? { message: `injected ${fault.status}` }, headers: fault.headers });
			}
			if (fault?.kind === 'raw') {
				res.writeHead(fault.status ?? 200, { 'content-type': fault.contentType ?? 'text/html' });
				return res.end(fault.body ?? '');
			}
			if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));

			const answer = await this.handle(req.method, url, entry);
			if (fault?.kind === 'dropAfterProcess') return req.socket.destroy();
			entry.status = answer.status;
			send(res, answer);
		} catch (error) {
			send(res, { status: 500, body: { message: `sandbox error: ${error.message}` } });
		}
	}

	async handle(method, url, entry) {
		for (const route of this.routes) {
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

module.exports = { SandboxServer, SandboxClock, FaultInjector, parseJson };
