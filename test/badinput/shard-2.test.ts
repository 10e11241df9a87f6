/** Bad input, shard 2: see harness.ts for the checks and cases.ts for the files. */
import { badInputShard } from './harness.ts';

badInputShard(1);
