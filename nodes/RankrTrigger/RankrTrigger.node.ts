// The Rankr Trigger node: its description (version 1's fields from v1/), the credential test, activation and the
// webhook. Uses v1/versionDescription, credentialCheck, webhook.
import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IHookFunctions,
	INodeCredentialTestResult,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { checkOnActivation, credentialTestResult } from './credentialCheck';
import { versionDescription } from './v1/versionDescription';
import { receiveDelivery } from './webhook';

/**
 * One class for every version, as n8n's Webhook node does: a version 2 would add `2` to `version` and show its
 * fields with `displayOptions: { show: { '@version': [2] } }`, and `webhook()` would ask `this.getNode().typeVersion`.
 * Not a VersionedNodeType like the action nodes: n8n's verification scanner finds the credential's test
 * (`testedBy`) only in a node class's own description, and this credential has no request to test with.
 */
export class RankrTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Rankr Trigger',
		name: 'rankrTrigger',
		icon: { light: 'file:rankr.svg', dark: 'file:rankr.dark.svg' },
		group: ['trigger'],
		subtitle: '={{ $parameter["events"].join(", ") }}',
		description: 'Starts the workflow on signed Rankr user events: signup, update, deletion, rank change, inactivity',
		defaultVersion: 1,
		credentials: [{ name: 'rankrWebhookApi', required: true, testedBy: 'rankrWebhookApiTest' }],
		...versionDescription,
	};

	methods = {
		credentialTest: {
			async rankrWebhookApiTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				return credentialTestResult((credential.data ?? {}) as IDataObject);
			},
		},
	};

	// Nothing to register or delete at Rankr (the user pastes the URL): activation only checks the credential.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return checkOnActivation.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return receiveDelivery.call(this);
	}
}
