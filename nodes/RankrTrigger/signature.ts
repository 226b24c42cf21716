// Rankr Trigger: a delivery's signature checked over its raw body (Ed25519, RSA, HMAC). Uses Node's crypto, keyRing, ed25519.
import { createHmac, timingSafeEqual, verify as cryptoVerify, type KeyObject } from 'crypto';

import { canonicalS } from './ed25519';
import { keyRingOf } from './keyRing';
import type { VerificationSettings } from './settings';

/**
 * The only reason a refused delivery is given, whatever went wrong (no header, another header, a forged or
 * malformed signature): the answer must not tell a prober which header or method this trigger expects.
 */
const INVALID_SIGNATURE = 'invalid signature';

export type Verdict = { ok: true } | { ok: false; status: 401; reason: typeof INVALID_SIGNATURE };

/** base64 of a 64-byte Ed25519 signature. */
const ED25519_SIGNATURE_CHARS = 88;
const ED25519_SIGNATURE = /^[A-Za-z0-9+/_-]{86}(?:==)?$/;
/** base64 of an RSA signature with an 8192-bit key is 1,368 characters. */
const MAX_RSA_SIGNATURE_CHARS = 1400;
/** "sha256=" and 64 hex digits, with room for whitespace. */
const MAX_HMAC_HEADER_CHARS = 100;

/** Ed25519 over the raw body; any of the keys verifying is enough. */
function verifyEd25519(rawBody: Buffer, signature: string, keys: KeyObject[]): boolean {
	// Length first: a header of any size costs nothing more than this comparison.
	if (signature.length > ED25519_SIGNATURE_CHARS || !ED25519_SIGNATURE.test(signature)) return false;
	const bytes = Buffer.from(signature, 'base64');
	if (bytes.length !== 64) return false;
	// Older OpenSSL does not refuse S >= L.
	if (!canonicalS(bytes)) return false;
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
