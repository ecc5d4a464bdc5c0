#!/usr/bin/env python3
"""The original Toloka notebook ("Is it a male or female speaker?": audio classification with a golden
set), run with toloka-kit against any server that speaks Toloka's API — changing only the URL and token.

The notebook's input TSV (url, sex) is not available offline; --tasks gives an equivalent one
(columns `url` and `sex`): its first 20 rows become control tasks with known solutions, the next 100
general tasks. Prints the notebook's progress lines on stderr and a JSON summary on stdout:
answers per task, restrictions, Dawid-Skene accuracy against the TSV's labels.

    TOLOKA_TOKEN=... python scripts/toloka_notebook_flow.py --url http://127.0.0.1:8000 --tasks tasks.tsv
"""
import argparse
import collections
import datetime
import json
import os
import sys
import time

import pandas as pd
import toloka.client as toloka
import toloka.client.project.template_builder as tb
from crowdkit.aggregation import DawidSkene


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--url', required=True)
    parser.add_argument('--tasks', required=True)
    parser.add_argument('--golden', type=int, default=20)
    parser.add_argument('--real', type=int, default=100)
    parser.add_argument('--sleep', type=float, default=1.0, help='the notebook sleeps 60 s between polls')
    parser.add_argument('--timeout', type=float, default=600)
    args = parser.parse_args()
    token = os.environ['TOLOKA_TOKEN']

    dataset = pd.read_csv(args.tasks, sep='\t')
    golden_rows = dataset.iloc[:args.golden]
    real_rows = dataset.iloc[args.golden:args.golden + args.real]

    # --- The notebook, with only the URL and the token changed. ---
    toloka_client = toloka.TolokaClient(token, url=args.url)
    requester = toloka_client.get_requester()
    log('Your balance is', requester.balance)

    project = toloka.Project(
        public_name='Is it a male or female speaker?',
        public_description='Listen to the audio and tell whether the speaker is male or female',
        public_instructions='Listen to the recording and choose whether the speaker is a male or a female.',
    )
    radio_group_field = tb.ButtonRadioGroupFieldV1(
        tb.OutputData('result'),
        [tb.GroupFieldOption('female', 'Female'), tb.GroupFieldOption('male', 'Male')],
        label='Is it a male or female speaker?',
        validation=tb.RequiredConditionV1(),
    )
    audio_view = tb.AudioViewV1(tb.InputData('path'), validation=tb.PlayedConditionV1(hint='you need to listen to the audio'))
    project_interface = toloka.project.TemplateBuilderViewSpec(
        view=tb.ListViewV1([audio_view, radio_group_field]),
        plugins=[
            tb.TolokaPluginV1('scroll', task_width=300),
            tb.HotkeysPluginV1(
                key_1=tb.SetActionV1(tb.OutputData('result'), 'female'),
                key_2=tb.SetActionV1(tb.OutputData('result'), 'male'),
            ),
        ],
    )
    project.task_spec = toloka.project.task_spec.TaskSpec(
        input_spec={'path': toloka.project.UrlSpec()},
        output_spec={'result': toloka.project.StringSpec()},
        view_spec=project_interface,
    )
    project = toloka_client.create_project(project)
    log('Created project', project.id)

    pool = toloka.Pool(
        project_id=project.id,
        private_name='Is it a male or female speaker',
        may_contain_adult_content=False,
        will_expire=datetime.datetime.utcnow() + datetime.timedelta(days=365),
        reward_per_assignment=0.01,
        assignment_max_duration_seconds=60 * 20,
        defaults=toloka.Pool.Defaults(default_overlap_for_new_task_suites=3),
        filter=(toloka.filter.Languages.in_('EN')) &
               ((toloka.filter.ClientType == 'TOLOKA_APP') | (toloka.filter.ClientType == 'BROWSER')),
    )
    pool.set_mixer_config(real_tasks_count=4, golden_tasks_count=1, training_tasks_count=0)
    pool.quality_control.add_action(
        collector=toloka.collectors.GoldenSet(history_size=10),
        conditions=[
            toloka.conditions.GoldenSetCorrectAnswersRate <= 80.0,
            toloka.conditions.GoldenSetAnswersCount >= 1,
        ],
        action=toloka.actions.RestrictionV2(scope='POOL', duration=3, duration_unit='DAYS', private_comment='bad quality'),
    )
    pool = toloka_client.create_pool(pool)
    log('Created pool', pool.id)

    golden_tasks = [
        toloka.Task(
            pool_id=pool.id,
            input_values={'path': row['url']},
            known_solutions=[toloka.task.BaseTask.KnownSolution(output_values={'result': row['sex']})],
            infinite_overlap=True,
        )
        for _, row in golden_rows.iterrows()
    ]
    tasks = [toloka.Task(pool_id=pool.id, input_values={'path': url}) for url in real_rows['url']]
    created = toloka_client.create_tasks(golden_tasks + tasks, allow_defaults=True)
    log('Created', len(created.items), 'tasks')

    pool = toloka_client.open_pool(pool.id)
    log('Pool status:', pool.status)

    started = time.time()
    percentages = []
    while not pool.is_closed():
        op = toloka_client.get_analytics([toloka.analytics_request.CompletionPercentagePoolAnalytics(subject_id=pool.id)])
        op = toloka_client.wait_operation(op)
        percentage = op.details['value'][0]['result']['value']
        percentages.append(int(percentage))
        log(f'   {datetime.datetime.now().strftime("%H:%M:%S")}\tPool {pool.id} - {percentage}%')
        if time.time() - started > args.timeout:
            raise SystemExit(f'pool {pool.id} still open after {args.timeout} s')
        time.sleep(args.sleep)
        pool = toloka_client.get_pool(pool.id)
    log('Pool was closed:', pool.last_close_reason)

    assignments = list(toloka_client.get_assignments(pool_id=pool.id, status='ACCEPTED'))
    results = []
    for assignment in assignments:
        for task, solution in zip(assignment.tasks, assignment.solutions):
            if task.known_solutions is None:
                results.append({'task': task.input_values['path'], 'worker': assignment.user_id,
                                'label': solution.output_values['result']})
    answers = pd.DataFrame(results)
    log('Answers:', len(answers))
    aggregated = DawidSkene(n_iter=20).fit_predict(answers)
    # --- End of the notebook. ---

    truth = dict(zip(dataset['url'], dataset['sex']))
    per_task = collections.Counter(answers['task'])
    restrictions = list(toloka_client.get_user_restrictions(pool_id=pool.id))
    correct = sum(1 for t, label in aggregated.items() if truth[t] == label)
    answer_correct = sum(1 for _, r in answers.iterrows() if truth[r['task']] == r['label'])
    summary = {
        'project_id': project.id,
        'pool_id': pool.id,
        'pool_status': pool.status.value if hasattr(pool.status, 'value') else str(pool.status),
        'last_close_reason': pool.last_close_reason.value if hasattr(pool.last_close_reason, 'value') else str(pool.last_close_reason),
        'created_tasks': len(created.items),
        'assignments': len(assignments),
        'answers': len(answers),
        'real_tasks_answered': len(per_task),
        'answers_per_task': sorted(set(per_task.values())),
        'workers': sorted(set(answers['worker'])),
        'restricted_users': sorted({r.user_id for r in restrictions}),
        'percentages': percentages,
        'answer_accuracy': answer_correct / len(answers),
        'ds_accuracy': correct / len(aggregated),
        'ds_tasks': len(aggregated),
        'toloka_kit': toloka.__version__,
    }
    print(json.dumps(summary))


if __name__ == '__main__':
    main()
