/** Tests start moto the same way the drill does: see local/moto-server.ts. */
export { freePort, MOTO_ACCOUNT_ID, motoClientConfig, motoCredentials, startMoto, type Moto } from '../../local/moto-server';
