/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy --all`. Reads departments.yaml, datasets/ and lake.yaml
 * (other paths with `-c lake:datasetsDir=...`, `-c lake:departmentsFile=...`, `-c lake:configFile=...`;
 * another stack name with `-c lake:stackName=...`) and checks every stack with cdk-nag's AwsSolutions rules.
 */
import { App } from 'aws-cdk-lib';
import { addNagChecks } from '../lib/common/nag.ts';
import { loadLakeInputs } from '../lib/config/inputs.ts';
import { buildLake } from '../lib/lake-app.ts';

const app = new App();
const context = (key: string): string | undefined => {
  const value = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
};
const inputs = loadLakeInputs({
  datasetsDir: context('lake:datasetsDir'),
  departmentsFile: context('lake:departmentsFile'),
  lakeConfigFile: context('lake:configFile'),
});
buildLake(app, inputs, {
  stackName: context('lake:stackName'),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
addNagChecks(app);
