/* A small C program against Tally's C ABI (Sources/CTallyABI/include/tally.h), linked with
 * libTallyC.so. Fits every registry method on crowd-kit's toy set (Dawid-Skene from four threads at
 * once), checks the labels, the sizes, the tables and the error paths. Exit 0 when every check holds.
 *
 *   cc -I Sources/CTallyABI/include Tests/CABI/abi_test.c -L DIR -lTallyC -Wl,-rpath,DIR -lpthread
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tally.h"

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

/* crowd-kit's toy set: 5 tasks, 5 workers, labels no/yes; truth yes, yes, no, yes, no. */
static const int32_t TASK[] = {0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4};
static const int32_t WORKER[] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4};
/* label codes into LABELS: 0 = "yes", 1 = "no" (Tally orders them no, yes). */
static const int32_t LABEL[] = {1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 0, 1};
static const char LABEL_BYTES[] = "yesno";
static const int64_t LABEL_OFFSETS[] = {0, 3, 5};
static const int32_t TRUTH[] = {0, 0, 1, 0, 1};

static tally_answers toy(void) {
    tally_answers a;
    memset(&a, 0, sizeof a);
    a.count = 24;
    a.task = TASK;
    a.worker = WORKER;
    a.label = LABEL;
    a.tasks.count = 5;      /* names NULL: "0".."4" */
    a.workers.count = 5;
    a.labels.count = 2;
    a.labels.bytes = LABEL_BYTES;
    a.labels.offsets = LABEL_OFFSETS;
    return a;
}

static void *fit_ds(void *arg) {
    int *ok = arg;
    tally_answers a = toy();
    tally_error e;
    *ok = 0;
    for (int round = 0; round < 50; round++) {
        tally_result *r = tally_fit("ds", "{\"max-iterations\": 20}", &a, NULL, &e);
        if (!r) return NULL;
        int32_t labels[5];
        tally_result_labels(r, labels);
        tally_result_free(r);
        if (memcmp(labels, TRUTH, sizeof labels) != 0) return NULL;
    }
    *ok = 1;
    return NULL;
}

int main(void) {
    CHECK(tally_abi_version() == TALLY_ABI_VERSION, "ABI version %d", tally_abi_version());
    tally_answers a = toy();
    tally_error e;

    /* Every registry method, by the name its JSON gives. */
    int32_t n = tally_method_count();
    CHECK(n >= 10, "only %d methods", n);
    for (int32_t i = 0; i < n; i++) {
        char json[8192];
        int64_t len = tally_method_json(i, json, sizeof json);
        CHECK(len > 0 && len < (int64_t)sizeof json, "method %d json length %lld", i, (long long)len);
        char name[64] = {0};
        const char *p = strstr(json, "\"name\":\"");
        CHECK(p != NULL, "no name in %s", json);
        if (!p) continue;
        p += 8;
        size_t k = 0;
        while (*p && *p != '"' && k < sizeof name - 1) name[k++] = *p++;
        /* gold for the methods that need it: tasks 0 and 1 are "yes". */
        int32_t gold_task[] = {0, 1}, gold_label[] = {0, 0};
        tally_inputs in;
        memset(&in, 0, sizeof in);
        in.gold_count = 2;
        in.gold_task = gold_task;
        in.gold_label = gold_label;
        in.gold_labels.count = 2;
        in.gold_labels.bytes = LABEL_BYTES;
        in.gold_labels.offsets = LABEL_OFFSETS;
        tally_result *r = tally_fit(name, NULL, &a, &in, &e);
        CHECK(r != NULL && e.code == TALLY_OK, "%s: %s", name, e.message);
        if (!r) continue;
        CHECK(tally_result_task_count(r) == 5 && tally_result_worker_count(r) == 5 && tally_result_label_count(r) == 2, "%s: sizes", name);
        int32_t order[2], labels[5];
        double probs[10];
        tally_result_label_order(r, order);
        CHECK(order[0] == 1 && order[1] == 0, "%s: label order %d %d (expected no, yes)", name, order[0], order[1]);
        tally_result_labels(r, labels);
        tally_result_probabilities(r, probs);
        for (int t = 0; t < 5; t++) CHECK(labels[t] == 0 || labels[t] == 1, "%s: label %d of task %d", name, labels[t], t);
        for (int32_t ti = 0; ti < tally_result_table_count(r); ti++) {
            char tj[1024];
            CHECK(tally_result_table_json(r, ti, tj, sizeof tj) > 0, "%s: table %d", name, ti);
        }
        char notes[4096];
        tally_result_notes(r, notes, sizeof notes);
        printf("%-12s labels %d %d %d %d %d  p(task 0) %.4f %.4f\n", name, labels[0], labels[1], labels[2], labels[3], labels[4], probs[0], probs[1]);
        tally_result_free(r);
    }

    /* Dawid-Skene: labels, priors, confusions, loss. */
    tally_result *r = tally_fit("ds", "{\"max-iterations\": 20, \"tolerance\": 1e-5}", &a, NULL, &e);
    CHECK(r != NULL, "ds: %s", e.message);
    if (r) {
        int32_t labels[5];
        double priors[2], conf[5 * 2 * 2], loss[100];
        uint8_t observed[10];
        tally_result_labels(r, labels);
        CHECK(memcmp(labels, TRUTH, sizeof labels) == 0, "ds labels");
        CHECK(tally_result_priors(r, priors) == 1 && priors[0] > 0.39 && priors[0] < 0.41, "ds priors %f", priors[0]);
        CHECK(tally_result_confusions(r, conf, observed) == 1, "ds confusions");
        int64_t nl = tally_result_loss_history(r, loss, 100);
        CHECK(nl > 0 && nl == tally_result_iterations(r), "ds loss history %lld", (long long)nl);
        CHECK(tally_result_skills(r, NULL) == 0, "ds has no skills");
        tally_result_free(r);
    }

    /* Errors: an unknown method, a bad code, bad options, a bad parameter; each leaves a message. */
    CHECK(tally_fit("nope", NULL, &a, NULL, &e) == NULL && e.code == TALLY_ERROR_AGGREGATION && strstr(e.message, "unknown method"), "unknown method: %s", e.message);
    int32_t bad_label[24];
    memcpy(bad_label, LABEL, sizeof bad_label);
    bad_label[7] = 9;
    tally_answers b = toy();
    b.label = bad_label;
    CHECK(tally_fit("mv", NULL, &b, NULL, &e) == NULL && e.code == TALLY_ERROR_INPUT && strstr(e.message, "answer 7"), "bad code: %s", e.message);
    CHECK(tally_fit("ds", "{not json", &a, NULL, &e) == NULL && e.code == TALLY_ERROR_INPUT, "bad json: %s", e.message);
    CHECK(tally_fit("ds", "{\"max-iterations\": \"many\"}", &a, NULL, &e) == NULL && e.code == TALLY_ERROR_AGGREGATION, "bad parameter: %s", e.message);
    b = toy();
    b.count = 0;
    CHECK(tally_fit("mv", NULL, &b, NULL, &e) == NULL && e.code == TALLY_ERROR_INPUT, "no answers: %s", e.message);
    CHECK(tally_read_answers("/nonexistent/answers.tsv", NULL, &e) == NULL && e.code == TALLY_ERROR_IO, "missing file: %s", e.message);

    /* Four threads fitting at once give the same labels as one. */
    pthread_t threads[4];
    int ok[4];
    for (int i = 0; i < 4; i++) pthread_create(&threads[i], NULL, fit_ds, &ok[i]);
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        CHECK(ok[i], "thread %d", i);
    }

    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("all checks passed\n");
    return 0;
}
