// Run by test/restart/restart.e2e.mjs with each Node it checks (the one jest uses, and n8n's own): the identity
// point as an Ed25519 "public key" and the signature R = identity, S = 0, which OpenSSL 3.0 (Node 20/22)
// verifies on any body. Prints JSON: what this Node's crypto says, and what the built package's trigger says.
'use strict';
const crypto = require('node:crypto');
const path = require('node:path');

const { checkCredential } = require(path.resolve(process.argv[2], 'dist/nodes/RankrTrigger/credentialCheck.js'));
const { verifySignature } = require(path.resolve(process.argv[2], 'dist/nodes/RankrTrigger/signature.js'));

const identity = Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]);
const forged = Buffer.concat([identity, Buffer.alloc(32)]).toString('base64');
const body = Buffer.from(JSON.stringify({ type: 'UserDelete', webhookId: 'wh_forged', id: 'usr_victim' }));
let openssl;
try {
	const key = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), identity]), format: 'der', type: 'spki' });
	openssl = crypto.verify(null, body, key, Buffer.from(forged, 'base64')) ? 'verifies the forgery' : 'refuses the forgery';
} catch (error) {
	openssl = `refuses the key (${error.code ?? error.message})`;
}
const settings = { method: 'ed25519', publicKeys: identity.toString('base64'), replayWindowSeconds: 5400 };
const credential = checkCredential(settings);
const verdict = verifySignature(settings, body, { 'x-ghl-signature': forged });
console.log(JSON.stringify({ node: process.version, openssl, credentialProblem: credential.problem ?? null, forgedVerified: verdict.ok }));
