// Sandbox: a local Rankr that signs and delivers webhooks; for npm run sandbox, the demo, the jest suites, bench.
// A local Rankr: builds user events as the contract describes (shared/specs/rankr-webhooks.md), signs them
// as Rankr does since 2026-07-01 — Ed25519 over the raw body in x-ghl-signature — or, for the legacy tests,
// with its own RSA key (x-wh-signature) or an HMAC secret (x-rankr-signature), posts them to a webhook URL
// and retries as HighLevel's "Automated Webhook Retries" says: only after a 429, six times about 10 minutes apart
// with random jitter, the same body (same timestamp and webhookId); every other answer, a refused connection
// and a time-out are final (shared/specs/rankr-webhooks.md, Delivery). Tests shrink the schedule to seconds.
// It holds two Ed25519 keys, as an account does during a key rotation: it signs with the first unless told
// otherwise, and publishes both (GET /public-key), so a credential holding both accepts either.
'use strict';
const crypto = require('node:crypto');
const { SandboxServer, parseJson } = require('./sandbox-server');

const LOCATION_ID = 've9EPM428h8vShlRW1KT';

class RankrSandbox extends SandboxServer {
	/**
	 * @param {object} [options]
	 * @param {string} [options.hmacSecret]
	 * @param {number} [options.retryIntervalMs]  time between retries after a 429 (Rankr: about 10 minutes)
	 * @param {number} [options.retryJitterMs]    up to this much is added to each interval at random (Rankr: about a minute)
	 * @param {number} [options.maxRetries]       retries after 429s (Rankr: 6)
	 * @param {string} [options.locationId]
	 */
	constructor(options = {}) {
		super('rankr');
		this.ed25519Keys = [0, 1].map(() => crypto.generateKeyPairSync('ed25519'));
		/** Both Ed25519 public keys, PEM blocks one after another: what the Rankr Webhook credential holds. */
		this.ed25519PublicKeysPem = this.ed25519Keys.map(({ publicKey }) => publicKey.export({ type: 'spki', format: 'pem' }).toString()).join('');
		// Legacy RSA (x-wh-signature): publicKeyPem keeps its name for the tests of the legacy method.
		const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
		this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
		this.privateKey = privateKey;
		this.hmacSecret = options.hmacSecret ?? crypto.randomBytes(24).toString('hex');
		this.retryIntervalMs = options.retryIntervalMs ?? 10 * 60_000;
		this.retryJitterMs = options.retryJitterMs ?? Math.round(this.retryIntervalMs / 10);
		this.maxRetries = options.maxRetries ?? 6;
		this.locationId = options.locationId ?? LOCATION_ID;
		this.deliveries = []; // { webhookId, type, url, attempts: [{ status, at }], delivered }
		this.counter = 0;
		this.route('POST', /^\/emit\/?$/, (req) => this.controlEmit(req));
		this.route('GET', /^\/public-key\/?$/, () => ({ status: 200, body: this.ed25519PublicKeysPem, headers: { 'content-type': 'text/plain' } }));
		this.route('GET', /^\/public-key\/rsa\/?$/, () => ({ status: 200, body: this.publicKeyPem, headers: { 'content-type': 'text/plain' } }));
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
	 * An Ed25519 public key as the raw 32 bytes, in base64 or hex (the other forms HighLevel's SDK accepts).
	 * @param {number} [index] which of the two keys
	 * @param {'base64'|'hex'} [encoding]
	 */
	ed25519PublicKeyRaw(index = 0, encoding = 'base64') {
		const { x } = this.ed25519Keys[index].publicKey.export({ format: 'jwk' });
		return Buffer.from(x, 'base64url').toString(encoding);
	}

	/**
	 * Signature headers for raw body bytes: 'ed25519' (Rankr today; `keyIndex` picks the key), or the legacy
	 * 'rsa', 'hmac', 'none'.
	 * @param {{keyIndex?: number}} [options]
	 * @returns {Record<string, string>}
	 */
	sign(rawBody, method = 'ed25519', { keyIndex = 0 } = {}) {
		if (method === 'none') return {};
		if (method === 'hmac') {
			return { 'x-rankr-signature': `sha256=${crypto.createHmac('sha256', this.hmacSecret).update(rawBody).digest('hex')}` };
		}
		if (method === 'rsa') return { 'x-wh-signature': crypto.sign('sha256', Buffer.from(rawBody), this.privateKey).toString('base64') };
		if (method !== 'ed25519') throw new Error(`unknown signing method "${method}" (ed25519, rsa, hmac, none)`);
		return { 'x-ghl-signature': crypto.sign(null, Buffer.from(rawBody), this.ed25519Keys[keyIndex].privateKey).toString('base64') };
	}

	/**
	 * Posts an event to `url` and retries it as Rankr does: only after a 429, the same bytes each time.
	 * Resolves with the delivery record once it was answered with anything but 429, or the retries ran out.
	 * `onAttempt(attempt)` is called after each attempt (for tests that watch a delivery over time).
	 */
	async deliver(url, event, { method = 'ed25519', keyIndex = 0, retries = this.maxRetries, timeoutMs = 10000, onAttempt } = {}) {
		const raw = JSON.stringify(event);
		const record = { webhookId: event.webhookId, type: event.type, url, attempts: [], delivered: false };
		this.deliveries.push(record);
		for (let attempt = 0; attempt <= retries; attempt++) {
			let status = 0;
			let body = '';
			try {
				const response = await fetch(url, {
					method: 'POST',
					headers: { 'content-type': 'application/json', ...this.sign(raw, method, { keyIndex }) },
					body: raw,
					signal: AbortSignal.timeout(timeoutMs),
				});
				status = response.status;
				body = await response.text();
			} catch (error) {
				body = String(error.cause?.code ?? error.message);
			}
			const entry = { status, body: body.slice(0, 300), at: new Date().toISOString() };
			record.attempts.push(entry);
			onAttempt?.(entry);
			record.delivered = status >= 200 && status < 300;
			if (status !== 429) return record; // HighLevel: every status but 429 is final, 5xx included
			if (attempt < retries) await new Promise((r) => setTimeout(r, this.retryIntervalMs + Math.random() * this.retryJitterMs));
		}
		return record;
	}

	/** POST /emit {url, type, user:{id,email,…}, extra, method, keyIndex} — the HTTP control endpoint. */
	async controlEmit(req) {
		const parsed = parseJson(req.rawBody);
		if (!parsed.ok) return { status: 400, body: { message: 'body must be JSON' } };
		const { url, type, user, extra, method, keyIndex } = parsed.value ?? {};
		if (!url || !type || !user?.id) return { status: 400, body: { message: 'need url, type and user.id' } };
		if (method !== undefined && !['ed25519', 'rsa', 'hmac', 'none'].includes(method)) return { status: 400, body: { message: 'method: ed25519, rsa, hmac or none' } };
		if (keyIndex !== undefined && keyIndex !== 0 && keyIndex !== 1) return { status: 400, body: { message: 'keyIndex: 0 or 1' } };
		const event = this.event(type, user, extra);
		const record = await this.deliver(url, event, { method: method ?? 'ed25519', keyIndex: keyIndex ?? 0 });
		return { status: 200, body: { event, delivery: record } };
	}
}

module.exports = { RankrSandbox, LOCATION_ID };
