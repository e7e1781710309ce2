/** The `Promise.withResolvers` polyfill for Node 20 lives with the local state-machine runner. */
import '../../local/with-resolvers';
