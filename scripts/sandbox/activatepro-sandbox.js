// Sandbox: a local ActivatePro API; for npm run sandbox, the demo, the jest suites (fixtures, conformance), bench.
// A local ActivatePro User Management API v2, written from the vendor's contract (seed 003): header auth,
// asynchronous create/update/delete with request tracking, batch of at most 1000, error codes 1-10.
'use strict';
const { randomUUID } = require('node:crypto');
const { SandboxServer, parseJson, stricter } = require('./sandbox-server');

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_BATCH = 1000;
const EMAIL_RE = /^[^\s@"(),:;<>[\\\]]+@[^\s@"(),:;<>[\\\]]+\.[^\s@"(),:;<>[\\\]]+$/;
const PHONE_RE = /^\+?[0-9 ()-]{5,20}$/;
const BU_RE = /^[A-Za-z0-9_-]{1,64}$/;
const RESERVED = new Set(['id', 'email', 'businessUnit']);

/** The attributes "defined for the company": anything else is code 6, a wrong type is code 3. */
const DEFAULT_ATTRIBUTES = {
	firstName: 'string', lastName: 'string', birthday: 'string', gender: 'string', createdAt: 'string',
	phone: 'phone', country: 'string', city: 'string', language: 'string', plan: 'string', status: 'string',
	segment: 'string', signupSource: 'string', rank: 'number', previousRank: 'number', leaderboard: 'string',
	score: 'number', inactiveDays: 'number', lastActiveAt: 'string', reengagementStartedAt: 'string',
	newsletter: 'boolean', role: 'string', fullName: 'string', source: 'string', updatedAt: 'string',
	// what the example flows keep to link a profile to the other systems and to show it on the dashboard
	emailApiUserId: 'string', emailApiContactId: 'string', lastRankrEvent: 'string', lastRankrEventAt: 'string', lastTrackingId: 'string',
};

const ERROR_TITLES = {
	1: 'Invalid JSON', 2: 'Invalid Field', 3: 'Invalid attribute type', 4: 'Invalid Email Format',
	5: 'Invalid Phone Format', 6: 'Unknown Attribute', 7: 'Identifier Mismatch', 8: 'Invalid Business Unit Format',
	9: 'Max batch request size violation', 10: 'Request processing failed, please contact support',
};

/** Where the sandbox refuses more than the document says (sent in the x-sandbox-stricter header). */
const STRICTER_RULES = {
	apiVersion: 'X-XNG-ApiVersion: the sandbox serves only API v2 and refuses any other value',
	4: 'email: the sandbox also asks for a dot in the domain and at most 254 characters, stricter than RFC 5322',
	8: 'businessUnit: the document gives no format; the sandbox allows 1 to 64 of A-Z a-z 0-9 _ -',
};

/** Errors that only the sandbox's own rules raise (an email any addr-spec reader would take, e.g. a@localhost). */
const SANDBOX_RULE_ONLY = new WeakSet();

/** A validation answer, saying which of its errors came from the sandbox's own rules. */
function validationAnswer(body) {
	const ours = body.errors.filter((e) => SANDBOX_RULE_ONLY.has(e) || e.code === '8');
	return stricter({ status: 400, body }, [...new Set(ours.map((e) => STRICTER_RULES[e.code]))]);
}

/** One "@" with text on both sides and no white space: what RFC 5322 asks at least (linear). */
function plainAddrSpec(email) {
	const at = email.indexOf('@');
	return at > 0 && at === email.lastIndexOf('@') && at < email.length - 1 && !/\s/.test(email);
}

function apiError(code, details, pointer) {
	const error = { code: String(code), title: ERROR_TITLES[code], details, info: `https://docs.crossengage.io/errors#${code}` };
	if (pointer !== undefined) error.source = { pointer };
	return error;
}

/** Users by id, with an index by email so that bulk runs of 100,000 stay linear. */
class UserMap extends Map {
	constructor() {
		super();
		this.byEmail = new Map(); // lower-case email -> Set of ids
		this.emailOf = new Map(); // id -> lower-case email it is indexed under
	}
	set(id, user) {
		this.unindex(id);
		super.set(id, user);
		const email = String(user?.email ?? '').toLowerCase();
		if (!this.byEmail.has(email)) this.byEmail.set(email, new Set());
		this.byEmail.get(email).add(id);
		this.emailOf.set(id, email);
		return this;
	}
	delete(id) {
		this.unindex(id);
		return super.delete(id);
	}
	clear() {
		this.byEmail.clear();
		this.emailOf.clear();
		super.clear();
	}
	unindex(id) {
		const email = this.emailOf.get(id);
		if (email === undefined) return;
		this.byEmail.get(email)?.delete(id);
		this.emailOf.delete(id);
	}
	idsWithEmail(email) {
		return this.byEmail.get(email) ?? new Set();
	}
}

class ActivateProSandbox extends SandboxServer {
	/**
	 * @param {object} [options]
	 * @param {string} [options.apiKey]            the only key accepted in X-XNG-AuthToken
	 * @param {number} [options.processingDelayMs] how long a request stays PENDING
	 * @param {Record<string,string>|null} [options.attributes] known attributes; null accepts any
	 */
	constructor(options = {}) {
		super('activatepro');
		this.apiKey = options.apiKey ?? 'sandbox-activatepro-key';
		this.processingDelayMs = options.processingDelayMs ?? 50;
		this.attributes = options.attributes === undefined ? { ...DEFAULT_ATTRIBUTES } : options.attributes;
		this.users = new UserMap(); // id -> user, indexed by email
		this.tracking = new Map(); // trackingId -> { stage, total, success, error, createdAt }
		this.stuck = false; // when true, nothing leaves PENDING (a stuck queue)
		this.timers = new Set();
		this.dueNow = new Map(); // trackingId -> run its work now (processingDelayMs 0 only)
		this.defineRoutes();
		// POST /__sandbox/stuck {"stuck": true}: from now on nothing leaves PENDING (to see waits time out).
		this.controlRoute('POST', '/stuck', (req) => {
			const parsed = parseJson(req.rawBody || '{}');
			if (!parsed.ok || typeof parsed.value?.stuck !== 'boolean') return { status: 400, body: { message: 'give {"stuck": true} or {"stuck": false}' } };
			this.stuck = parsed.value.stuck;
			return { status: 200, body: { stuck: this.stuck } };
		});
	}

	reset() {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		this.dueNow.clear();
		this.users.clear();
		this.tracking.clear();
		this.stuck = false;
		super.reset(); // faults, log, clock
	}

	/** GET /__sandbox/state */
	state() {
		return { users: [...this.users.values()], tracking: Object.fromEntries(this.tracking), stuck: this.stuck };
	}

	async close() {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		await super.close();
	}

	/** Exact, case-insensitive match on email (and business unit when given). */
	findByEmail(email, bu) {
		const wanted = String(email).toLowerCase();
		for (const id of this.users.idsWithEmail(wanted)) {
			const user = this.users.get(id);
			if (bu !== undefined && bu !== '' && String(user.businessUnit ?? '').toLowerCase() !== String(bu).toLowerCase()) continue;
			return user;
		}
		return undefined;
	}

	defineRoutes() {
		const guarded = (handler) => (req) => this.authorize(req) ?? handler(req);
		this.route('GET', /^\/users\/track\/(?<trackingId>[^/]+)$/, guarded((req) => this.getTracking(req.params.trackingId)));
		this.route('GET', /^\/users\/email\/(?<email>[^/]+)(?:\/bu\/(?<bu>[^/]*))?\/?$/, guarded((req) => {
			const user = this.findByEmail(req.params.email, req.params.bu);
			return user ? { status: 200, body: user } : { status: 404, body: { message: 'User with a given input was not found.' } };
		}));
		this.route('PUT', /^\/users\/?$/, guarded((req) => this.putUser(req)));
		this.route('POST', /^\/users\/batch\/?$/, guarded((req) => this.postBatch(req)));
		this.route('GET', /^\/users\/(?<id>[^/]+)$/, guarded((req) => {
			const user = this.users.get(req.params.id);
			return user ? { status: 200, body: user } : { status: 404, body: { message: 'User with a given id was not found.' } };
		}));
		this.route('DELETE', /^\/users\/(?<id>[^/]+)$/, guarded((req) => {
			const trackingId = this.enqueue([{ action: 'delete', entry: { id: req.params.id } }], 1, 0);
			return { status: 202, body: { trackingId } };
		}));
	}

	authorize(req) {
		if (req.headers['x-xng-authtoken'] !== this.apiKey) return { status: 401, body: { message: 'Wrong or missing credentials.' } };
		if (req.headers['x-xng-apiversion'] !== '2') {
			return stricter({ status: 400, body: { errors: [apiError(2, 'Header X-XNG-ApiVersion must be 2 for this API', '/headers/X-XNG-ApiVersion')] } }, STRICTER_RULES.apiVersion);
		}
		return undefined;
	}

	/** Checks one user entry; returns the errors with pointers under `base` (e.g. "/updated/3"). */
	validateUser(entry, base) {
		const errors = [];
		if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
			return [apiError(2, 'A user must be a JSON object', base || '/')];
		}
		if (typeof entry.id !== 'string' || entry.id.trim() === '') errors.push(apiError(2, 'Invalid field value, or missing a required field "id"', `${base}/id`));
		if (entry.email === undefined || entry.email === null || entry.email === '') {
			errors.push(apiError(2, 'Invalid field value, or missing a required field "email"', `${base}/email`));
		} else if (typeof entry.email !== 'string' || (entry.email.length > 254 || !EMAIL_RE.test(entry.email))) {
			const error = apiError(4, `Invalid email "${entry.email}". The email address must be in the addr-spec format as defined in RFC 5322`, `${base}/email`);
			if (typeof entry.email === 'string' && plainAddrSpec(entry.email)) SANDBOX_RULE_ONLY.add(error);
			errors.push(error);
		}
		if (entry.businessUnit !== undefined && entry.businessUnit !== null && (typeof entry.businessUnit !== 'string' || !BU_RE.test(entry.businessUnit))) {
			errors.push(apiError(8, `Invalid business unit "${entry.businessUnit}"`, `${base}/businessUnit`));
		}
		for (const [name, value] of Object.entries(entry)) {
			if (RESERVED.has(name) || name === 'xngId') continue;
			const type = this.attributes ? this.attributes[name] : typeof value === 'number' ? 'number' : 'any';
			if (type === undefined) {
				errors.push(apiError(6, `Attribute "${name}" does not exist`, `${base}/${escapePointer(name)}`));
			} else if (value !== null && !fitsType(type, value)) {
				const code = type === 'phone' ? 5 : 3;
				errors.push(apiError(code, code === 5 ? `Invalid phone "${value}"` : `Attribute "${name}" must be of type ${type}`, `${base}/${escapePointer(name)}`));
			}
		}
		return errors;
	}

	putUser(req) {
		const parsed = parseJson(req.rawBody);
		if (!parsed.ok) return { status: 400, body: { errors: [apiError(1, `Invalid JSON: ${parsed.error.message}`, '/')] } };
		const errors = this.validateUser(parsed.value, '');
		if (errors.length) return validationAnswer({ errors });
		const trackingId = this.enqueue([{ action: 'upsert', entry: parsed.value }], 1, 0);
		return { status: 202, body: { trackingId } };
	}

	postBatch(req) {
		const parsed = parseJson(req.rawBody);
		if (!parsed.ok) return { status: 400, body: { errors: [apiError(1, `Invalid JSON: ${parsed.error.message}`, '/')] } };
		const body = parsed.value ?? {};
		const updated = Array.isArray(body.updated) ? body.updated : [];
		const deleted = Array.isArray(body.deleted) ? body.deleted : [];
		const total = updated.length + deleted.length;
		if (total > MAX_BATCH) {
			return { status: 400, body: { errors: [apiError(9, `Max batch request size is 1,000, but was ${total.toLocaleString('en-US')}`, '/updated')] } };
		}
		const errors = [];
		const work = [];
		updated.forEach((entry, i) => {
			const entryErrors = this.validateUser(entry, `/updated/${i}`);
			if (entryErrors.length) errors.push(...entryErrors);
			else work.push({ action: 'upsert', entry });
		});
		deleted.forEach((entry, i) => {
			if (!entry || typeof entry.id !== 'string' || entry.id === '') errors.push(apiError(2, 'Invalid field value, or missing a required field "id"', `/deleted/${i}/id`));
			else work.push({ action: 'delete', entry });
		});
		const rejected = total - work.length;
		if (work.length === 0) return validationAnswer({ errors });
		const trackingId = this.enqueue(work, total, rejected);
		return errors.length ? validationAnswer({ trackingId, errors }) : { status: 202, body: { trackingId } };
	}

	enqueue(work, total, rejected) {
		const trackingId = randomUUID();
		const record = { stage: 'PENDING', total, success: 0, error: rejected, createdAt: this.clock.now() };
		this.tracking.set(trackingId, record);
		const run = () => {
			if (this.stuck) return;
			for (const { action, entry } of work) {
				if (this.apply(action, entry)) record.success++;
				else record.error++;
			}
			record.stage = 'PROCESSED';
		};
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			this.dueNow.delete(trackingId);
			run();
		}, this.processingDelayMs);
		this.timers.add(timer);
		// With no delay the work is done as soon as anyone asks: a client polling right after the answer must not
		// race the timer (it would wait a whole poll interval, and the benchmark's floor would measure that race).
		if (this.processingDelayMs === 0) {
			this.dueNow.set(trackingId, () => {
				clearTimeout(timer);
				this.timers.delete(timer);
				this.dueNow.delete(trackingId);
				run();
			});
		}
		return trackingId;
	}

	/** Applies one entry the way the vendor documents it; false = a processing error. */
	apply(action, entry) {
		if (action === 'delete') {
			this.users.delete(entry.id); // deleting an unknown user is a success too
			return true;
		}
		const existing = this.users.get(entry.id);
		const owner = this.findByEmail(entry.email);
		if (owner && owner.id !== entry.id) return false; // a new id with an existing email is not created
		const now = new Date(this.clock.now()).toISOString();
		if (existing) Object.assign(existing, entry);
		else this.users.set(entry.id, { xngId: randomUUID(), createdAt: now, ...entry });
		this.users.set(entry.id, this.users.get(entry.id)); // re-index a changed email
		return true;
	}

	getTracking(trackingId) {
		this.dueNow.get(trackingId)?.();
		const record = this.tracking.get(trackingId);
		if (!record || this.clock.now() - record.createdAt > DAY_MS) {
			return { status: 404, body: { message: 'Requested tracking information was not found because trackingId is unknown or expired.' } };
		}
		const { stage, total, success, error } = record;
		return { status: 200, body: { stage, total, success, error } };
	}
}

function fitsType(type, value) {
	switch (type) {
		case 'string': return typeof value === 'string';
		case 'number': return typeof value === 'number' && Number.isFinite(value);
		case 'boolean': return typeof value === 'boolean';
		case 'phone': return typeof value === 'string' && PHONE_RE.test(value);
		default: return true;
	}
}

function escapePointer(name) {
	return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

module.exports = { ActivateProSandbox, DEFAULT_ATTRIBUTES, MAX_BATCH };
