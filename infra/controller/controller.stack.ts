import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DrController, type DrControllerProps } from './dr-controller.construct';

/** Props of {@link ControllerStack}: where it goes, and what the {@link DrController} gets. */
export interface ControllerStackProps extends StackProps, DrControllerProps {}

/** The controller region's stack: one {@link DrController}. */
export class ControllerStack extends Stack {
  readonly controller: DrController;

  constructor(scope: Construct, id: string, props: ControllerStackProps) {
    super(scope, id, props);
    this.controller = new DrController(this, 'Controller', props);
  }
}
