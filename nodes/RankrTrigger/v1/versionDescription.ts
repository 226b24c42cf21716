// Rankr Trigger v1: what version 1 declares (webhook, Events and filter fields). Uses events.
import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';

import { EVENT_OPTIONS, RANK_FILTER_OPTIONS } from '../events';

/** Joined to what RankrTrigger.node.ts writes out itself (names, icon, the credential). */
export const versionDescription: Pick<
	INodeTypeDescription,
	'version' | 'defaults' | 'inputs' | 'outputs' | 'webhooks' | 'properties'
> = {
	version: 1,
	defaults: { name: 'Rankr Trigger' },
	inputs: [],
	outputs: [NodeConnectionTypes.Main],
	// n8n answers once it has saved or queued the run, with the node's webhookResponse: responseData must be
	// empty for that (left out, n8n would answer the text "firstEntryJson").
	webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: 'rankr' }],
	properties: [
		{
			displayName:
				'Copy the Production URL above into Rankr\'s webhook settings. Rankr retries a delivery only when it is answered 429, so put the reverse proxy of the Rankr Trigger docs in front of n8n to turn a restart or an overload into a retry. This trigger runs each webhookId once per n8n process; to cover restarts and several webhook processes too, add a "Remove Duplicates" step on {{ $json.webhookId }} after it.',
			name: 'setupNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Events',
			name: 'events',
			type: 'multiOptions',
			required: true,
			default: ['UserCreate'],
			options: EVENT_OPTIONS,
		},
		{
			displayName: 'Rank Filter',
			name: 'rankFilter',
			type: 'options',
			default: 'any',
			description: 'Which rank changes start the workflow (rank 1 is the best)',
			displayOptions: { show: { events: ['UserRankUpdate', '*'] } },
			options: RANK_FILTER_OPTIONS,
		},
		{
			displayName: 'Top N',
			name: 'topN',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 10,
			displayOptions: { show: { events: ['UserRankUpdate', '*'], rankFilter: ['enteredTopN', 'leftTopN'] } },
		},
		{
			displayName: 'Minimum Inactive Days',
			name: 'inactiveDays',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description: 'Only inactivity events for users inactive at least this many days (0: all)',
			displayOptions: { show: { events: ['UserInactive', '*'] } },
		},
	],
};
