"""mlp: a multilayer perceptron in plain NumPy.

The tutorial's API::

    from mlp import NeuralNetwork
    from mlp.activations import relu, d_relu, softmax, d_softmax
    from mlp.losses import categorical_crossentropy, d_categorical_crossentropy
    from mlp.optimizers import SGD

    nn = NeuralNetwork([784, 100, 10], (relu, d_relu), (softmax, d_softmax),
                       (categorical_crossentropy, d_categorical_crossentropy), SGD())
    losses = nn.fit(x_train, y_train, batch_size=512, epochs=100, categorical=True)
    nn.score(x_test, y_test, accuracy=True)
"""

from mlp import activations, losses, optimizers, registry, utils
from mlp.errors import ModelFileError, TrainingDiverged
from mlp.gradcheck import gradcheck
from mlp.network import NeuralNetwork
from mlp.training import EarlyStopping

__all__ = ["NeuralNetwork", "gradcheck", "EarlyStopping", "TrainingDiverged", "ModelFileError",
           "activations", "losses", "optimizers", "registry", "utils"]
