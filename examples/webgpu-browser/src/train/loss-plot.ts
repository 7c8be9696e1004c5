/**
 * The live loss plot of the train page (uPlot): training loss per optimizer step, redrawn after every step.
 *
 * @packageDocumentation
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** A loss curve drawn into a container. */
export class LossPlot {
  private readonly steps: number[] = [];
  private readonly losses: number[] = [];
  private readonly plot: uPlot;

  constructor(container: HTMLElement, width = 720, height = 300) {
    this.plot = new uPlot(
      {
        width,
        height,
        scales: { x: { time: false } },
        axes: [{ label: 'step' }, { label: 'training loss (nats/token)' }],
        series: [{ label: 'step' }, { label: 'loss', stroke: '#2060c0', width: 2, points: { show: true, size: 4 } }],
      },
      [[], []],
      container,
    );
  }

  /** Adds one step and redraws. */
  add(step: number, loss: number): void {
    this.steps.push(step);
    this.losses.push(loss);
    this.plot.setData([this.steps, this.losses]);
  }
}
