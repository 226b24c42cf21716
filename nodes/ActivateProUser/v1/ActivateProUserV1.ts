// ActivatePro User v1: execute handed to the router. Uses versionDescription, actions/router.
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeTypeBaseDescription,
	INodeTypeDescription,
} from 'n8n-workflow';

import { router } from '../actions/router';
import { versionDescription } from './versionDescription';

// An INodeType (ActivateProUser.node.ts's nodeVersions checks it) not declared as one: n8n's lint would look for the
// icon in this class, and it is in the base description all versions share.
export class ActivateProUserV1 {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = { ...baseDescription, ...versionDescription };
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
