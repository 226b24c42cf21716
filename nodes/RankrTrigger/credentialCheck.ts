// Rankr Trigger: what the credential test, activation and a refusal's log line say about a credential. Uses keyRing, settings, delivery.
import type { IDataObject, IHookFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { RANKR_RETRY_HORIZON_SECONDS } from './delivery';
import { keyRingOf } from './keyRing';
import { settingsOf, type VerificationSettings } from './settings';

/** What the credential test and activation say about a credential. */
export interface CredentialCheck {
	/** Why it cannot verify deliveries (unusable keys by number, an empty secret…); undefined when usable. */
	problem?: string;
	/** An RSA key under Ed25519 (see keyRingOf): it works, but not for today's deliveries. */
	legacyRsaNotice?: string;
	/** What is usable, for a passing test. */
	summary: string;
}

const LEGACY_RSA_NOTICE =
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

/** The credential test's answer (testedBy: rankrWebhookApiTest). */
export function credentialTestResult(data: IDataObject): INodeCredentialTestResult {
	const check = checkCredential(settingsOf(data));
	if (check.problem) return { status: 'Error', message: check.problem };
	// n8n shows the message of a failed test only: an RSA key under Ed25519 still works but cannot verify
	// today's Ed25519 deliveries, so the test fails and the person sees what to do.
	if (check.legacyRsaNotice) return { status: 'Error', message: check.legacyRsaNotice };
	return { status: 'OK', message: check.summary };
}

/**
 * Activation (checkExists): Rankr has no API to register webhooks, the user pastes the URL into Rankr's settings.
 * Activation still checks what it can, that the credential can verify deliveries, so a bad key fails at
 * activation, not silently at the first event.
 */
export async function checkOnActivation(this: IHookFunctions): Promise<boolean> {
	const settings = settingsOf(await this.getCredentials('rankrWebhookApi'));
	const check = checkCredential(settings);
	if (check.problem)
		throw new NodeOperationError(
			this.getNode(),
			`The Rankr webhook credential cannot verify deliveries: ${check.problem}`,
		);
	// An RSA key under Ed25519 keeps verifying (see keyRingOf): activate, but say so.
	if (check.legacyRsaNotice)
		this.logger?.warn(`[${this.getNode().name}] activated with a legacy RSA key: ${check.legacyRsaNotice}`, {
			node: this.getNode().name,
			workflowId: this.getWorkflow().id ?? '',
		});
	if (settings.replayWindowSeconds < RANKR_RETRY_HORIZON_SECONDS)
		this.logger?.warn(
			`[${this.getNode().name}] the Rankr webhook credential's Replay Window is ${settings.replayWindowSeconds} s: Rankr retries a delivery up to about ${RANKR_RETRY_HORIZON_SECONDS / 60} minutes after its event, so retries later than that will be acknowledged and dropped (set it to at least ${RANKR_RETRY_HORIZON_SECONDS})`,
			{ node: this.getNode().name, workflowId: this.getWorkflow().id ?? '' },
		);
	return true;
}

/** For a refusal's log line: why every delivery will be refused, when the credential is the cause (no header named). */
export function credentialHint(settings: VerificationSettings): string {
	if (settings.method !== 'ed25519') return '';
	const ring = keyRingOf(settings);
	if (ring.legacyRsa) return '; the credential holds only a legacy RSA key, see its credential test';
	if (ring.problems.length)
		return `; the credential has ${ring.keys.length ? 'unusable keys' : 'no usable key'}, see its credential test`;
	return '';
}
