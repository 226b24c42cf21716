'use strict';
// A local Rankr: builds user events as the contract describes (shared/specs/rankr-webhooks.md), signs them
// with its own RSA key (x-wh-signature) or an HMAC secret (x-rankr-signature), posts them to a webhook URL
// and redelivers on non-2xx (same body, same webhookId) up to 5 times with exponential backoff.
const crypto = require('node:crypto');
const { SandboxServer, parseJson } = require('./http-kit');

const LOCATION_ID = 've9EPM428h8vShlRW1KT';

class RankrSandbox extends SandboxServer {
	/**
	 * @param {object} [options]
	 * @param {string} [options.hmacSecret]
	 * @param {number} [options.retryBaseMs]  first redelivery delay (Rankr: seconds; tests: ms)
	 * @param {number} [options.maxRetries]
	 * @param {string} [options.locationId]
	 */
	constructor(options = {}) {
		super('rankr');
		const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
		this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
		this.privateKey = privateKey;
		this.hmacSecret = options.hmacSecret ?? crypto.randomBytes(24).toString('hex');
		this.retryBaseMs = options.retryBaseMs ?? 1000;
		this.maxRetries = options.maxRetries ?? 5;
		this.locationId = options.locationId ?? LOCATION_ID;
		this.deliveries = []; // { webhookId, type, url, attempts: [{ status, at }], delivered }
		this.counter = 0;
		this.route('POST', /^\/emit\/?$/, (req) => this.controlEmit(req));
		this.route('GET', /^\/public-key\/?$/, () => ({ status: 200, body: this.publicKeyPem, headers: { 'content-type': 'text/plain' } }));
		this.route('GET', /^\/deliveries\/?$/, () => ({ status: 200, body: this.deliveries }));
	}

	/** An event body as Rankr sends it. */
	event(type, user, extra = {}) {
		const base = {
			type,
			timestamp: new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
			webhookId: `wh_${Date.now().toString(36)}_${(++this.counter).toString(36)}_${crypto.randomBytes(3).toString('hex')}`,
			locationId: this.locationId,
			id: user.id,
			email: user.email,
		};
		switch (type) {
			case 'UserCreate':
				return {
					...base,
					firstName: user.firstName ?? 'Ada',
					lastName: user.lastName ?? 'Lovelace',
					phone: user.phone ?? '+13235559998',
					role: user.role ?? 'user',
					rank: user.rank ?? 42,
					permissions: user.permissions ?? { contactsEnabled: true, workflowsEnabled: true },
					locations: [this.locationId],
					...extra,
				};
			case 'UserUpdate':
				return { ...base, changed: Object.keys(extra), ...extra };
			case 'UserDelete':
				return { ...base, deletedAt: base.timestamp, ...extra };
			case 'UserRankUpdate':
				return { ...base, previousRank: 14, rank: 9, leaderboard: 'monthly', ...extra };
			case 'UserInactive':
				return { ...base, lastActiveAt: new Date(this.clock.now() - 30 * 86400000).toISOString(), inactiveDays: 30, ...extra };
			default:
				return { ...base, ...extra };
		}
	}

	/**
	 * Signature headers for raw body bytes.
	 * @returns {Record<string, string>}
	 */
	sign(rawBody, method = 'rsa') {
		if (method === 'none') return {};
		if (method === 'hmac') {
			return { 'x-rankr-signature': `sha256=${crypto.createHmac('sha256', this.hmacSecret).update(rawBody).digest('hex')}` };
		}
		return { 'x-wh-signature': crypto.sign('sha256', Buffer.from(rawBody), this.privateKey).toString('base64') };
	}

	/**
	 * Posts an event to `url` and redelivers on non-2xx or a failed connection, as Rankr does.
	 * Resolves with the delivery record once it was acknowledged or the retries ran out.
	 */
	async deliver(url, event, { method = 'rsa', retries = this.maxRetries, timeoutMs = 10000 } = {}) {
		const raw = JSON.stringify(event);
		const record = { webhookId: event.webhookId, type: event.type, url, attempts: [], delivered: false };
		this.deliveries.push(record);
		for (let attempt = 0; attempt <= retries; attempt++) {
			let status = 0;
			let body = '';
			try {
				const response = await fetch(url, {
					method: 'POST',
					headers: { 'content-type': 'application/json', ...this.sign(raw, method) },
					body: raw,
					signal: AbortSignal.timeout(timeoutMs),
				});
				status = response.status;
				body = await response.text();
			} catch (error) {
				body = String(error.message);
			}
			record.attempts.push({ status, body: body.slice(0, 300), at: new Date().toISOString() });
			if (status >= 200 && status < 300) {
				record.delivered = true;
				return record;
			}
			if (attempt < retries) await new Promise((r) => setTimeout(r, this.retryBaseMs * 2 ** attempt));
		}
		return record;
	}

	/** POST /emit {url, type, user:{id,email,…}, extra, method} — the HTTP control endpoint. */
	async controlEmit(req) {
		const parsed = parseJson(req.rawBody);
		if (!parsed.ok) return { status: 400, body: { message: 'body must be JSON' } };
		const { url, type, user, extra, method } = parsed.value ?? {};
		if (!url || !type || !user?.id) return { status: 400, body: { message: 'need url, type and user.id' } };
		const event = this.event(type, user, extra);
		const record = await this.deliver(url, event, { method: method ?? 'rsa' });
		return { status: 200, body: { event, delivery: record } };
	}
}

module.exports = { RankrSandbox, LOCATION_ID };
