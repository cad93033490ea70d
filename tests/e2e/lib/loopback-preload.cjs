// Loaded with `node -r` into each Agents Playground process: the Playground listens on all
// interfaces and has no host option, so every listen(port) without a host is pinned to 127.0.0.1.
'use strict';
const net = require('node:net');

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function pinnedListen(...args) {
  const [first, second] = args;
  const isPort = typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first));
  if (isPort && (args.length === 1 || typeof second === 'function' || second === undefined)) {
    args.splice(1, second === undefined && args.length > 1 ? 1 : 0, '127.0.0.1');
  } else if (first && typeof first === 'object' && !first.path && first.host === undefined) {
    args[0] = { ...first, host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};
