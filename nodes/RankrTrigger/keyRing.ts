// Rankr Trigger: the keys a credential verifies with, parsed, checked and cached. Uses keyList, ed25519, settings.
import { createPublicKey, type KeyObject } from 'crypto';

import { weakEd25519 } from './ed25519';
import { parseEntry, splitKeyList } from './keyList';
import type { VerificationSettings } from './settings';

/** A few public keys in PEM are well under 1 KB each; more than this is not a key list. */
const MAX_KEY_FIELD_CHARS = 16_384;
/** Two are valid during a rotation; every key costs one verification per refused delivery. */
const MAX_KEYS = 8;

/**
 * The keys a credential verifies with, parsed once per key text (see keyRingOf).
 * `problems` name each unusable key by its number in the list; verification uses the usable ones only.
 */
export interface KeyRing {
	/** Which signature the keys verify: Ed25519 (x-ghl-signature) or RSA-SHA256 (x-wh-signature). */
	scheme: 'ed25519' | 'rsa';
	keys: KeyObject[];
	/** Ed25519 is chosen but the field holds only an RSA key (see keyRingOf). */
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
 * An RSA key under Ed25519: n8n fills an unstored method with the default, Ed25519, so a credential holding an
 * RSA key without a stored method arrives here as "ed25519" with that key. It verifies x-wh-signature with the
 * RSA key, so no active workflow breaks; but the credential test fails with a message saying what to do, and
 * activation logs the same at warn, because Rankr signs only with Ed25519 since 2026-07-01. Only a field with no
 * Ed25519 key at all counts as such a credential; RSA keys mixed with Ed25519 ones are reported as unusable keys.
 */
export function keyRingOf(settings: Pick<VerificationSettings, 'method' | 'publicKeys'>): KeyRing {
	const text = (settings.publicKeys ?? '').replace(/\r\n?/g, '\n');
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

/** The legacy RSA method: the whole text as one PEM key. */
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
		// The whole text as one RSA PEM key, as the RSA method reads it (it tolerates text around the key).
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
