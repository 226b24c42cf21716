// Email API v1: what version 1 declares (credentials, Authentication, Resource, each resource's operations and
// fields). Uses actions/description.
import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';

import { properties } from '../actions/description';

/** Joined to the base description of EmailApi.node.ts. */
export const versionDescription: Pick<
	INodeTypeDescription,
	'version' | 'defaults' | 'inputs' | 'outputs' | 'credentials' | 'properties'
> = {
	version: 1,
	defaults: { name: 'Email API' },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: [
		{ name: 'emailApiKeyApi', required: true, displayOptions: { show: { authentication: ['apiKey'] } } },
		{ name: 'rankrOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
	],
	properties,
};
