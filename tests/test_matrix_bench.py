"""benchmarks/matrix_speed.py without the clock: the circuit it measures is the issue's (a
2-layer MLP on a 4×3 batch with 8 hidden units) and its scalar rival is chosen by frames."""

from __future__ import annotations

import numpy as np
import pytest
from support import benchmark_module

import graphviz_backprop as gb

matrix_speed = benchmark_module("matrix_speed")
Circuit = matrix_speed.Circuit


def test_the_network_measured_is_a_2_layer_mlp_on_a_4x3_batch_with_8_hidden_units():
    t = gb.trace(matrix_speed.MATRIX)
    shapes = {name: np.shape(value) for name, value in t.inputs.items()}
    assert shapes["X"] == (4, 3) and shapes["W1"] == (3, 8) and shapes["b1"] == (8,)
    assert shapes["W2"][0] == 8
    assert [t.circuit.gate_of(n).key for n in t.circuit.gates].count("matmul") == 2
    assert {t.circuit.gate_of(n).key for n in t.circuit.gates} >= {"relu", "cross_entropy"}


def test_the_rival_has_the_closest_number_of_frames_and_is_scalar():
    network = Circuit("mlp", 6, 16, True)
    candidates = [Circuit("a", 3, 10, False), Circuit("b", 9, 20, False),
                  Circuit("c", 7, 18, False), Circuit("d", 8, 16, True)]
    assert matrix_speed.rival(network, candidates).name == "c"
    tie = [Circuit("few", 5, 14, False), Circuit("more", 9, 18, False)]
    assert matrix_speed.rival(network, tie).name == "more"


def test_without_the_networks_frames_the_rival_has_the_closest_number_of_gates():
    network = Circuit("mlp", 6, None, True, "cannot draw arrays")
    candidates = [Circuit("a", 5, 14, False), Circuit("b", 9, 16, False),
                  Circuit("c", 3, 18, False), Circuit("unplanned", 6, None, False)]
    assert matrix_speed.rival(network, candidates).name == "a"
    with pytest.raises(matrix_speed.BenchError):
        matrix_speed.rival(network, [Circuit("arrays", 6, 16, True)])
