// Email API v1: execute handed to the router, the "From List" searches. Uses versionDescription, actions/router,
// methods/.
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeTypeBaseDescription,
	INodeTypeDescription,
} from 'n8n-workflow';

import { router } from '../actions/router';
import { searchCustomFields, searchWorkflows } from '../methods/listSearch';
import { versionDescription } from './versionDescription';

// An INodeType (EmailApi.node.ts's nodeVersions checks it) not declared as one: n8n's lint would look for the icon
// in this class, and it is in the base description all versions share.
export class EmailApiV1 {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = { ...baseDescription, ...versionDescription };
	}

	methods = { listSearch: { searchCustomFields, searchWorkflows } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
