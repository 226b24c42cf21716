// Rankr Trigger: signatures (Ed25519, RSA, HMAC), replay window and credential check. Uses Node's crypto only.
import { createHmac, createPublicKey, timingSafeEqual, verify as cryptoVerify, type KeyObject } from 'crypto';

export type VerificationMethod = 'ed25519' | 'rsa' | 'hmac' | 'none';

export interface VerificationSettings {
	method: VerificationMethod;
	/** The credential's key field (publicPem): Ed25519 keys one after another, or the legacy RSA key. */
	publicKey?: string;
	secret?: string;
	replayWindowSeconds: number;
}

/**
 * The only reason a refused delivery is given, whatever went wrong (no header, another header, a forged or
 * malformed signature): the answer must not tell a prober which header or method this trigger expects.
 */
export const INVALID_SIGNATURE = 'invalid signature';

export type Verdict = { ok: true } | { ok: false; status: 401; reason: typeof INVALID_SIGNATURE };

/** A few public keys in PEM are well under 1 KB each; more than this is not a key list. */
export const MAX_KEY_FIELD_CHARS = 16_384;
/** Two are valid during a rotation; every key costs one verification per refused delivery. */
export const MAX_KEYS = 8;
/** base64 of a 64-byte Ed25519 signature. */
const ED25519_SIGNATURE_CHARS = 88;
const ED25519_SIGNATURE = /^[A-Za-z0-9+/_-]{86}(?:==)?$/;
/** base64 of an RSA signature with an 8192-bit key is 1,368 characters. */
const MAX_RSA_SIGNATURE_CHARS = 1400;
/** "sha256=" and 64 hex digits, with room for whitespace. */
const MAX_HMAC_HEADER_CHARS = 100;
/** DER of an Ed25519 SubjectPublicKeyInfo, less the 32 key bytes that follow it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/**
 * libsodium's blocklist of small-order points (y with the sign bit masked off): a signature of any body verifies
 * with such a key, and OpenSSL (Node 20/22) accepts them. Includes the non-canonical y = p and y = p + 1.
 */
const SMALL_ORDER_KEYS = [
	'0000000000000000000000000000000000000000000000000000000000000000',
	'0100000000000000000000000000000000000000000000000000000000000000',
	'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
	'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
	'26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
	'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
	'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((hex) => Buffer.from(hex, 'hex'));
/** p = 2^255 - 19, little endian: a key's y (sign bit masked off) must be below it. */
const FIELD_PRIME = Buffer.from('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex');
/** L = 2^252 + 27742317777372353535851937790883648493, little endian: a signature's S must be below it. */
const GROUP_ORDER = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex');

/**
 * The keys a credential verifies with, parsed once per key text (see keyRingOf).
 * `problems` name each unusable key by its number in the list; verification uses the usable ones only.
 */
export interface KeyRing {
	/** Which signature the keys verify: Ed25519 (x-ghl-signature) or RSA-SHA256 (x-wh-signature). */
	scheme: 'ed25519' | 'rsa';
	keys: KeyObject[];
	/** Ed25519 is chosen but the field holds only an RSA key: a credential saved before Ed25519 (see keyRingOf). */
	legacyRsa: boolean;
	problems: string[];
}

const rings = new Map<string, KeyRing>();
/** Distinct key texts remembered: one per credential in use, so a handful; each text is capped above. */
const MAX_CACHED_RINGS = 64;

/**
 * The parsed keys of a credential, cached by method and key text: a delivery must not parse PEM again, and a
 * changed credential (new text) gets parsed anew. Bounded: MAX_CACHED_RINGS texts of MAX_KEY_FIELD_CHARS at most.
 *
 * Saved RSA credentials: n8n fills a value a credential does not store with the *current* default, and the
 * default is now Ed25519. A credential saved for RSA while RSA was the default (method not stored) therefore
 * arrives here as "ed25519" with its RSA key. Decision: such a credential keeps verifying exactly as before —
 * x-wh-signature with that RSA key — so upgrading the package breaks no active workflow; but the credential
 * test fails with a message saying what to do, and activation logs the same at warn, because Rankr signs only
 * with Ed25519 since 2026-07-01. Only a field with no Ed25519 key at all counts as such a credential; RSA keys
 * mixed with Ed25519 ones are reported as unusable keys.
 */
export function keyRingOf(settings: Pick<VerificationSettings, 'method' | 'publicKey'>): KeyRing {
	const text = (settings.publicKey ?? '').replace(/\r\n?/g, '\n');
	const method = settings.method === 'rsa' ? 'rsa' : 'ed25519';
	if (text.length > MAX_KEY_FIELD_CHARS) {
		return {
			scheme: method,
			keys: [],
			legacyRsa: false,
			problems: [
				`the key field holds ${text.length} characters, more than the ${MAX_KEY_FIELD_CHARS} a list of public keys needs`,
			],
		};
	}
	const cacheKey = `${method}\u0000${text}`;
	const cached = rings.get(cacheKey);
	if (cached) return cached;
	const ring = method === 'rsa' ? rsaRing(text) : ed25519Ring(text);
	rings.set(cacheKey, ring);
	if (rings.size > MAX_CACHED_RINGS) rings.delete(rings.keys().next().value as string);
	return ring;
}

/** The legacy RSA method: one PEM key, parsed as it always was. */
function rsaRing(text: string): KeyRing {
	try {
		const key = createPublicKey(text);
		if (key.asymmetricKeyType !== 'rsa')
			return {
				scheme: 'rsa',
				keys: [],
				legacyRsa: false,
				problems: [`The public key is ${key.asymmetricKeyType}, not RSA`],
			};
		return { scheme: 'rsa', keys: [key], legacyRsa: false, problems: [] };
	} catch (error) {
		return {
			scheme: 'rsa',
			keys: [],
			legacyRsa: false,
			problems: [`The public key is not a PEM public key: ${(error as Error).message}`],
		};
	}
}

function ed25519Ring(text: string): KeyRing {
	const entries = splitKeyList(text);
	if (entries.length === 0) {
		return {
			scheme: 'ed25519',
			keys: [],
			legacyRsa: false,
			problems: ["no public key: paste Rankr's Ed25519 public key (PEM, or the raw key in base64 or hex)"],
		};
	}
	const ed25519: KeyObject[] = [];
	const rsa: KeyObject[] = [];
	const problems: string[] = [];
	const rsaProblems: string[] = [];
	const of = (n: number) => `key ${n} of ${entries.length}`;
	for (const entry of entries) {
		if (entry.number > MAX_KEYS) {
			problems.push(`${of(entry.number)}: more than ${MAX_KEYS} keys; a rotation needs two`);
			continue;
		}
		const parsed = parseEntry(entry);
		if (typeof parsed === 'string') problems.push(`${of(entry.number)} ${parsed}`);
		else if (parsed.asymmetricKeyType === 'ed25519') {
			const weak = weakEd25519(parsed);
			if (weak) problems.push(`${of(entry.number)} ${weak}`);
			else ed25519.push(parsed);
		} else if (parsed.asymmetricKeyType === 'rsa') {
			rsa.push(parsed);
			rsaProblems.push(
				`${of(entry.number)} is an RSA key, not Ed25519 (RSA keys verify only the legacy x-wh-signature: use a separate credential with the method "RSA Public Key (Legacy)" for it)`,
			);
		} else problems.push(`${of(entry.number)} is an ${parsed.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
	}
	if (ed25519.length === 0 && problems.length === 0 && rsa.length > 0)
		return { scheme: 'rsa', keys: rsa, legacyRsa: true, problems: [] };
	if (ed25519.length === 0 && !entries.some((e) => e.label?.includes('PRIVATE'))) {
		// As before Ed25519: the whole text as one PEM key (tolerates text around it, as createPublicKey does).
		const legacy = rsaRing(text);
		if (legacy.keys.length) return { ...legacy, legacyRsa: true };
	}
	return {
		scheme: 'ed25519',
		keys: ed25519,
		legacyRsa: false,
		problems: [...rsaProblems, ...problems].sort(byKeyNumber),
	};
}

const byKeyNumber = (a: string, b: string) =>
	Number(/^key (\d+)/.exec(a)?.[1] ?? 0) - Number(/^key (\d+)/.exec(b)?.[1] ?? 0);

interface KeyEntry {
	number: number;
	/** A PEM block's label ("PUBLIC KEY"), or undefined for a raw key on its own line. */
	label?: string;
	/** The PEM body (base64, whitespace removed) or the raw line. */
	body: string;
	/** A PEM block whose END line never came. */
	unterminated?: boolean;
}

/**
 * The key field as a list: PEM blocks one after another, and raw keys one per line, in the order given.
 * One pass over the lines (each regex anchored and bounded), so the cost is linear in the field's length.
 */
function splitKeyList(text: string): KeyEntry[] {
	const entries: KeyEntry[] = [];
	// A PEM pasted onto one line (spaces for line breaks): put its armour lines on lines of their own.
	const lines = text.replace(/-----(?:BEGIN|END) [A-Z0-9 ]{1,40}-----/g, (armour) => `\n${armour}\n`).split('\n');
	let block: KeyEntry | undefined;
	for (const raw of lines) {
		const line = raw.trim();
		if (!line) continue;
		const armour = /^-----(BEGIN|END) ([A-Z0-9 ]{1,40})-----$/.exec(line);
		if (block) {
			if (armour?.[1] === 'END') {
				entries.push(block);
				block = undefined;
			} else if (armour) {
				entries.push({ ...block, unterminated: true });
				block = { number: entries.length + 1, label: armour[2], body: '' };
			} else block.body += line.replace(/\s+/g, '');
		} else if (armour?.[1] === 'BEGIN') block = { number: entries.length + 1, label: armour[2], body: '' };
		else if (!armour) entries.push({ number: entries.length + 1, body: line });
		// a stray END line outside a block is ignored
	}
	if (block) entries.push({ ...block, unterminated: true });
	return entries;
}

/** A key from one entry, or why it is not one ("is …", "does …"). */
function parseEntry(entry: KeyEntry): KeyObject | string {
	if (entry.label !== undefined) {
		if (entry.unterminated) return `is a PEM block without its "-----END ${entry.label}-----" line`;
		if (entry.label.includes('PRIVATE'))
			return 'is a private key: paste the public key (and keep the private one secret)';
		const pem = `-----BEGIN ${entry.label}-----\n${(entry.body.match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${entry.label}-----\n`;
		try {
			return createPublicKey(pem);
		} catch (error) {
			return `is a PEM block that is not a public key (${(error as Error).message})`;
		}
	}
	const line = entry.body;
	let bytes: Buffer | undefined;
	if (/^[0-9a-fA-F]{64}$/.test(line)) bytes = Buffer.from(line, 'hex');
	else if (line.length <= 200 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(line)) bytes = Buffer.from(line, 'base64');
	const der =
		bytes?.length === 32
			? Buffer.concat([ED25519_SPKI_PREFIX, bytes])
			: bytes?.length === 44 && bytes.subarray(0, 12).equals(ED25519_SPKI_PREFIX)
				? bytes
				: undefined;
	if (!der) {
		const what = bytes
			? `decodes to ${bytes.length} bytes`
			: `is a line of ${line.length} characters that is neither base64 nor hex`;
		return `${what}: expected a PEM block (-----BEGIN PUBLIC KEY-----) or a raw 32-byte Ed25519 key in base64 (44 characters) or hex (64 characters)`;
	}
	try {
		return createPublicKey({ key: der, format: 'der', type: 'spki' });
	} catch (error) {
		return `is not a usable Ed25519 key (${(error as Error).message})`;
	}
}

/** Whether little-endian `a` (sign bit of byte 31 masked off when asked) is below little-endian `limit`. */
function below(a: Buffer, limit: Buffer, maskTopBit = false): boolean {
	for (let i = 31; i >= 0; i--) {
		const byte = i === 31 && maskTopBit ? a[i] & 0x7f : a[i];
		if (byte !== limit[i]) return byte < limit[i];
	}
	return false;
}

/**
 * Why an Ed25519 key must not be used, or undefined: checked here because OpenSSL's acceptance of such keys
 * depends on its version.
 */
function weakEd25519(key: KeyObject): string | undefined {
	const der = key.export({ type: 'spki', format: 'der' });
	const raw = der.subarray(der.length - 32);
	const small = SMALL_ORDER_KEYS.some(
		(point) => raw.compare(point, 0, 31, 0, 31) === 0 && (raw[31] & 0x7f) === point[31],
	);
	if (small)
		return 'is a weak (small-order) Ed25519 key: a signature of any body can be forged for it, so it is not used';
	if (!below(raw, FIELD_PRIME, true))
		return 'is not a canonical Ed25519 encoding (its y coordinate is not below 2^255 - 19), so it is not used';
	return undefined;
}

/** Ed25519 over the raw body; any of the keys verifying is enough. */
function verifyEd25519(rawBody: Buffer, signature: string, keys: KeyObject[]): boolean {
	// Length first: a header of any size costs nothing more than this comparison.
	if (signature.length > ED25519_SIGNATURE_CHARS || !ED25519_SIGNATURE.test(signature)) return false;
	const bytes = Buffer.from(signature, 'base64');
	if (bytes.length !== 64) return false;
	// S >= L makes a second valid signature of the same body; older OpenSSL does not refuse it.
	if (!below(bytes.subarray(32), GROUP_ORDER)) return false;
	return keys.some((key) => {
		try {
			return cryptoVerify(null, rawBody, key, bytes);
		} catch {
			return false; // a key of another type: not verified by it
		}
	});
}

/** RSA-SHA256 (PKCS#1 v1.5) over the raw body, base64 signature in x-wh-signature. */
function verifyRsa(rawBody: Buffer, signature: string, keys: KeyObject[]): boolean {
	if (signature.length > MAX_RSA_SIGNATURE_CHARS) return false;
	const bytes = Buffer.from(signature, 'base64');
	return keys.some((key) => {
		try {
			return cryptoVerify('sha256', rawBody, key, bytes);
		} catch {
			return false; // malformed signature: not verified
		}
	});
}

/** "sha256=<hex HMAC-SHA256>" in x-rankr-signature, compared in constant time. */
function verifyHmac(rawBody: Buffer, header: string, secret: string): boolean {
	const match = header.length <= MAX_HMAC_HEADER_CHARS ? /^sha256=([0-9a-f]{64})$/i.exec(header.trim()) : null;
	const expected = createHmac('sha256', secret).update(rawBody).digest();
	const given = match ? Buffer.from(match[1], 'hex') : Buffer.alloc(expected.length);
	// Always compare (same length buffers), so a malformed header costs the same time as a wrong one.
	return timingSafeEqual(given, expected) && match !== null;
}

/**
 * Checks the signature of a delivery before anything else looks at it. Ed25519 is read from x-ghl-signature
 * only, RSA from x-wh-signature only: a signature in another header does not count.
 */
export function verifySignature(
	settings: VerificationSettings,
	rawBody: Buffer,
	headers: Record<string, unknown>,
): Verdict {
	if (settings.method === 'none') return { ok: true };
	const header = (name: string) => {
		const value = headers[name];
		return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0] ?? '') : '';
	};
	let verified: boolean;
	if (settings.method === 'hmac') {
		const signature = header('x-rankr-signature');
		const secret = settings.secret ?? '';
		// Anyone can compute an HMAC with an empty secret: refused here too, not only at activation.
		verified = signature !== '' && secret !== '' && verifyHmac(rawBody, signature, secret);
	} else {
		const ring = keyRingOf(settings);
		const signature = header(ring.scheme === 'ed25519' ? 'x-ghl-signature' : 'x-wh-signature');
		verified =
			signature !== '' &&
			ring.keys.length > 0 &&
			(ring.scheme === 'ed25519'
				? verifyEd25519(rawBody, signature, ring.keys)
				: verifyRsa(rawBody, signature, ring.keys));
	}
	return verified ? { ok: true } : { ok: false, status: 401, reason: INVALID_SIGNATURE };
}

/** Whether the event's timestamp is within the replay window of now (both directions, for clock skew). */
export function withinReplayWindow(timestamp: unknown, windowSeconds: number, now = Date.now()): boolean {
	const at = eventTime(timestamp);
	if (!Number.isFinite(at)) return false;
	return Math.abs(now - at) <= windowSeconds * 1000;
}

/** An ISO 8601 timestamp is well under this; a longer string is not read at all. */
const MAX_TIMESTAMP_CHARS = 64;
/** Date, then optionally time and zone: anchored, no nested repetition, so it cannot backtrack. */
const ISO_TIMESTAMP =
	/^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|([+-])(\d{2}):?(\d{2}))?)?$/;

/** An event's `timestamp` (ISO 8601 string or epoch ms) in ms; NaN when it is neither. */
export function eventTime(timestamp: unknown): number {
	if (typeof timestamp === 'number') return timestamp;
	if (typeof timestamp !== 'string' || timestamp.length > MAX_TIMESTAMP_CHARS) return Number.NaN;
	const m = ISO_TIMESTAMP.exec(timestamp);
	if (!m) return Number.NaN;
	const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
	const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
	const offsetMinutes = m[9] ? (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) : 0;
	if (hour > 23 || minute > 59 || second > 59 || (m[9] && (Number(m[10]) > 23 || Number(m[11]) > 59)))
		return Number.NaN;
	// The contract says the timestamp is UTC, so a zone-less one is read as UTC (not this server's local time).
	const date = new Date(0);
	date.setUTCFullYear(year, month - 1, day);
	if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return Number.NaN; // e.g. 2026-02-30
	date.setUTCHours(hour, minute, second, ms);
	return date.getTime() - offsetMinutes * 60_000;
}

/** What the credential test and activation say about a credential. */
export interface CredentialCheck {
	/** Why it cannot verify deliveries (unusable keys by number, an empty secret…); undefined when usable. */
	problem?: string;
	/** A credential saved for RSA that now reads as Ed25519 (see keyRingOf): it works, but not for today's deliveries. */
	legacyRsaNotice?: string;
	/** What is usable, for a passing test. */
	summary: string;
}

export const LEGACY_RSA_NOTICE =
	'This credential holds an RSA public key, saved before Rankr signed with Ed25519. It still verifies the legacy x-wh-signature with it, but since 2026-07-01 Rankr signs deliveries only with Ed25519 (x-ghl-signature), which an RSA key cannot verify. Paste Rankr\'s Ed25519 public key(s) into Public Keys, or set Verification Method to "RSA Public Key (X-Wh-Signature, Legacy)" to keep RSA on purpose.';

/** Problems with the credential itself, for the credential test and activation. */
export function checkCredential(settings: VerificationSettings): CredentialCheck {
	const windowProblem = settings.replayWindowSeconds > 0 ? undefined : 'The replay window must be at least 1 second';
	if (settings.method === 'none')
		return {
			problem: windowProblem,
			summary: 'No verification: any request to the webhook URL will start the workflow',
		};
	if (settings.method === 'hmac') {
		return {
			problem: (settings.secret ?? '').length ? windowProblem : 'The shared secret is empty',
			summary: 'The shared secret is set',
		};
	}
	const ring = keyRingOf(settings);
	if (ring.problems.length) {
		const problem = ring.problems.join('; ');
		return {
			problem: settings.method === 'rsa' ? problem : `${problem.charAt(0).toUpperCase()}${problem.slice(1)}`,
			summary: '',
		};
	}
	if (ring.legacyRsa)
		return {
			problem: windowProblem,
			legacyRsaNotice: LEGACY_RSA_NOTICE,
			summary: 'The RSA public key is usable (legacy)',
		};
	if (ring.scheme === 'rsa')
		return {
			problem: windowProblem,
			summary: 'The RSA public key is usable (legacy x-wh-signature; Rankr signs with Ed25519 since 2026-07-01)',
		};
	const n = ring.keys.length;
	return {
		problem: windowProblem,
		summary:
			n === 1
				? 'The Ed25519 public key is usable'
				: `${n} Ed25519 public keys are usable: a delivery signed with any of them is accepted`,
	};
}
