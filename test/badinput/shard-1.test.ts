/** Bad input, shard 1: see harness.ts for the checks and cases.ts for the files. */
import { badInputShard } from './harness.ts';

badInputShard(0);
