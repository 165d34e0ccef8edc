using System.Diagnostics;

namespace Events.Grains.Scheduling;

// The baseline: published meetings where they stand, then each other meeting in the order given at
// the first slot both people are free in, with a table left.
public static class GreedyScheduler
{
    public static Schedule Solve(SchedulingProblem problem)
    {
        var watch = Stopwatch.StartNew();
        var model = new ScheduleModel(problem);
        return model.Build(Place(model), optimal: false, watch);
    }

    internal static int[] Place(ScheduleModel model)
    {
        var slotOf = (int[])model.Fixed.Clone();
        var busy = new bool[model.PersonCount, model.SlotCount];
        var used = new int[model.SlotCount];
        for (var m = 0; m < model.MeetingCount; m++)
        {
            if (slotOf[m] >= 0)
            {
                Take(m, slotOf[m]);
            }
        }

        for (var m = 0; m < model.MeetingCount; m++)
        {
            if (slotOf[m] >= 0)
            {
                continue;
            }

            foreach (var s in model.Allowed[m])
            {
                if (!busy[model.A[m], s] && !busy[model.B[m], s] && used[s] < model.Capacity)
                {
                    slotOf[m] = s;
                    Take(m, s);
                    break;
                }
            }
        }

        return slotOf;

        void Take(int m, int s)
        {
            busy[model.A[m], s] = true;
            busy[model.B[m], s] = true;
            used[s]++;
        }
    }
}
