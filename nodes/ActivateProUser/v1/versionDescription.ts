// ActivatePro User v1: what version 1 declares (credential, Resource, the user operations and their fields). Uses
// actions/description.
import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';

import { properties } from '../actions/description';

/** Joined to the base description of ActivateProUser.node.ts. */
export const versionDescription: Pick<
	INodeTypeDescription,
	'version' | 'subtitle' | 'usableAsTool' | 'defaults' | 'inputs' | 'outputs' | 'credentials' | 'properties'
> = {
	version: 1,
	subtitle: '={{ $parameter["operation"] }}',
	usableAsTool: true,
	defaults: { name: 'ActivatePro User' },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: [{ name: 'activateProApi', required: true }],
	properties,
};
