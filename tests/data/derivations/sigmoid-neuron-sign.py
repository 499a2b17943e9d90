# sigmoid-neuron.py with a sign error in the gradient on dot (line 9): the local
# gradient of the sigmoid is (1 - f) * f. Every gradient computed from ddot inherits
# the error.
w0 = 2; w1 = -3; w2 = -3
x0 = -1; x1 = -2
dot = w0*x0 + w1*x1 + w2
f = 1.0 / (1 + math.exp(-dot))  # the sigmoid
# backward pass through the neuron
ddot = (f - 1) * f  # sign error
dx0 = w0 * ddot
dx1 = w1 * ddot
dw0 = x0 * ddot
dw1 = x1 * ddot
dw2 = 1.0 * ddot
