import { createHmac, createPublicKey, createVerify, timingSafeEqual } from 'crypto';

export type VerificationMethod = 'rsa' | 'hmac' | 'none';

export interface VerificationSettings {
	method: VerificationMethod;
	publicKey?: string;
	secret?: string;
	replayWindowSeconds: number;
}

export type Verdict =
	| { ok: true }
	| { ok: false; status: 401; reason: string };

/** RSA-SHA256 (PKCS#1 v1.5) over the raw body, base64 signature in x-wh-signature. */
function verifyRsa(rawBody: Buffer, signature: string, publicKey: string): boolean {
	try {
		const verifier = createVerify('SHA256');
		verifier.update(rawBody);
		verifier.end();
		return verifier.verify(publicKey, signature, 'base64');
	} catch {
		return false; // malformed key or signature: not verified
	}
}

/** "sha256=<hex HMAC-SHA256>" in x-rankr-signature, compared in constant time. */
function verifyHmac(rawBody: Buffer, header: string, secret: string): boolean {
	const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
	const expected = createHmac('sha256', secret).update(rawBody).digest();
	const given = match ? Buffer.from(match[1], 'hex') : Buffer.alloc(expected.length);
	// Always compare (same length buffers), so a malformed header costs the same time as a wrong one.
	return timingSafeEqual(given, expected) && match !== null;
}

/** Checks the signature of a delivery before anything else looks at it. */
export function verifySignature(settings: VerificationSettings, rawBody: Buffer, headers: Record<string, unknown>): Verdict {
	if (settings.method === 'none') return { ok: true };
	const header = (name: string) => {
		const value = headers[name];
		return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0] ?? '') : '';
	};
	if (settings.method === 'rsa') {
		const signature = header('x-wh-signature');
		if (!signature) return { ok: false, status: 401, reason: 'missing x-wh-signature header' };
		if (!verifyRsa(rawBody, signature, settings.publicKey ?? '')) return { ok: false, status: 401, reason: 'invalid signature' };
		return { ok: true };
	}
	const signature = header('x-rankr-signature');
	if (!signature) return { ok: false, status: 401, reason: 'missing x-rankr-signature header' };
	if (!verifyHmac(rawBody, signature, settings.secret ?? '')) return { ok: false, status: 401, reason: 'invalid signature' };
	return { ok: true };
}

/** Whether the event's timestamp is within the replay window of now (both directions, for clock skew). */
export function withinReplayWindow(timestamp: unknown, windowSeconds: number, now = Date.now()): boolean {
	const at = eventTime(timestamp);
	if (!Number.isFinite(at)) return false;
	return Math.abs(now - at) <= windowSeconds * 1000;
}

/** An event's `timestamp` (ISO string or epoch ms) in ms; NaN when it is neither. */
export function eventTime(timestamp: unknown): number {
	if (typeof timestamp === 'number') return timestamp;
	if (typeof timestamp === 'string') return Date.parse(timestamp);
	return Number.NaN;
}

/** Problems with the credential itself, for the credential test; undefined when usable. */
export function credentialProblem(settings: VerificationSettings): string | undefined {
	if (settings.method === 'rsa') {
		try {
			const key = createPublicKey(settings.publicKey ?? '');
			if (key.asymmetricKeyType !== 'rsa') return `The public key is ${key.asymmetricKeyType}, not RSA`;
		} catch (error) {
			return `The public key is not a PEM public key: ${(error as Error).message}`;
		}
	}
	if (settings.method === 'hmac' && !(settings.secret ?? '').length) return 'The shared secret is empty';
	if (!(settings.replayWindowSeconds > 0)) return 'The replay window must be at least 1 second';
	return undefined;
}
