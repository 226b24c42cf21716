// Rankr Trigger: the webhook credential as the trigger reads it (method, public keys, secret, replay window). Uses delivery.
import type { IDataObject } from 'n8n-workflow';

import { DEFAULT_REPLAY_WINDOW_SECONDS } from './delivery';

export type VerificationMethod = 'ed25519' | 'rsa' | 'hmac' | 'none';

export interface VerificationSettings {
	method: VerificationMethod;
	/** Ed25519 public keys one after another, or the one legacy RSA key. */
	publicKeys?: string;
	secret?: string;
	replayWindowSeconds: number;
}

/** The credential's data as the trigger uses it. */
export function settingsOf(data: IDataObject): VerificationSettings {
	// n8n fills an unstored method with the default, Ed25519; keyRing.ts keyRingOf handles an RSA key under it.
	const method = (['ed25519', 'rsa', 'hmac', 'none'] as const).find((m) => m === data.method) ?? 'ed25519';
	return {
		method,
		// Stored as publicPem (see the credential): the public keys, PEM or raw.
		publicKeys: String(data.publicPem ?? '').replace(/\\n/g, '\n'),
		secret: String(data.secret ?? ''),
		replayWindowSeconds: Number(data.replayWindowSeconds ?? DEFAULT_REPLAY_WINDOW_SECONDS),
	};
}
