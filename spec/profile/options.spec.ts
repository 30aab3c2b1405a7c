// The options of initializeSDK (API.md §2): defaults, and 400 naming a bad option, never a throw.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { checkInitOptions } from '../../lib/profile/options.js';

describe('profile/options', () => {
  it('completes the defaults from the service URL', () => {
    const checked = checkInitOptions({ service: 'ws://127.0.0.1:15280/xmpp-websocket', domain: 'localhost' });
    assert.ok(checked.ok);
    assert.equal(checked.value.domain, 'localhost');
    assert.equal(checked.value.sandboxDomain, 'sandbox.localhost');
    assert.equal(checked.value.tokenEndpoint, 'http://127.0.0.1:15280/oauth/token');
    assert.equal(checked.value.requestTimeoutMs, 15_000);
    assert.equal(checked.value.reconnect, true);
    assert.equal(checked.value.isSandbox, false);
    assert.equal(checked.value.allowPlainAuth, false);
    assert.equal(checked.value.profileConcurrency, undefined); // chosen by the transport at login
    const secure = checkInitOptions({ service: 'wss://chat.example.com/ws' });
    assert.ok(secure.ok);
    assert.equal(secure.value.domain, 'chat.example.com');
    assert.equal(secure.value.tokenEndpoint, 'https://chat.example.com/oauth/token');
    const api = checkInitOptions({ service: 'https://x.example/bosh', apiBaseUrl: 'https://api.example/v1/' });
    assert.ok(api.ok);
    assert.equal(api.value.tokenEndpoint, 'https://api.example/v1/oauth/token');
    const own = checkInitOptions({ service: 'https://x.example/bosh', tokenEndpoint: 'https://auth.example/token' });
    assert.ok(own.ok);
    assert.equal(own.value.tokenEndpoint, 'https://auth.example/token');
  });

  it('takes a transport factory instead of a service, with a domain', () => {
    const factory = () => { throw new Error('not called here'); };
    assert.equal(checkInitOptions({ transport: factory }).ok, false);
    const checked = checkInitOptions({ transport: factory, domain: 'example.com' });
    assert.ok(checked.ok);
    assert.equal(checked.value.transport, factory);
    assert.equal(checked.value.tokenEndpoint, '');
  });

  it('answers 400 naming the bad option', () => {
    const cases: [unknown, string][] = [
      [null, 'options'], [{}, 'service'], [{ service: 'x' }, 'service'], [{ service: 'ftp://h/x' }, 'service'],
      [{ service: 'ws://h/x', domain: 'a b' }, 'domain'], [{ service: 'ws://h/x', sandboxDomain: '' }, 'sandboxDomain'],
      [{ service: 'ws://h/x', isSandbox: 'yes' }, 'isSandbox'], [{ service: 'ws://h/x', requestTimeoutMs: 0 }, 'requestTimeoutMs'],
      [{ service: 'ws://h/x', reconnect: 'always' }, 'reconnect'], [{ service: 'ws://h/x', callbackListeners: 1 }, 'callbackListeners'],
      [{ service: 'ws://h/x', callbackListeners: { blockUserListener: 'f' } }, 'blockUserListener'],
      [{ service: 'ws://h/x', rosterStore: {} }, 'rosterStore'], [{ service: 'ws://h/x', apiBaseUrl: 'ws://h' }, 'apiBaseUrl'],
      [{ service: 'ws://h/x', tokenEndpoint: 3 }, 'tokenEndpoint'], [{ service: 'ws://h/x', profileConcurrency: 1.5 }, 'profileConcurrency'],
      [{ service: 'ws://h/x', transport: 42 }, 'transport'], [{ service: 'ws://h/x', onTrace: 'log' }, 'onTrace'],
    ];
    for (const [options, name] of cases) {
      const checked = checkInitOptions(options);
      assert.equal(checked.ok, false, name);
      if (!checked.ok) {
        assert.equal(checked.answer.statusCode, 400);
        assert.match(checked.answer.message, new RegExp(name), checked.answer.message);
      }
    }
  });

  it('never throws for anything', () => {
    fc.assert(fc.property(fc.anything(), fc.dictionary(fc.constantFrom('service', 'domain', 'apiBaseUrl', 'reconnect', 'callbackListeners', 'requestTimeoutMs', 'transport'), fc.anything()), (value, options) => {
      for (const input of [value, options, { service: 'ws://h/x', ...options }]) {
        const checked = checkInitOptions(input);
        if (!checked.ok) assert.equal(checked.answer.statusCode, 400);
      }
    }));
  });
});
